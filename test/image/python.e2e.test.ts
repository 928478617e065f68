import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runCli } from '../../src/cli/main.ts';
import { createContext } from '../../src/core/context.ts';
import { loadDefinition, writeLockfile } from '../../src/definition/index.ts';
import { type BuildResult, buildImages, planLock } from '../../src/image/index.ts';
import type { LockPlan } from '../../src/image/lock.ts';
import { flattenImage, imageSourceFrom, layoutBlobStore } from '../../src/oci/index.ts';
import { captureIO } from '../support/cli-io.ts';
import { startRegistry } from '../support/registry-server.ts';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');

// Needs the real Debian archive: locks and builds images/python for amd64 and arm64.
describe('python image from the real Debian archive (e2e)', () => {
  let work: string;
  let plan: LockPlan;
  let built: BuildResult;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'ironclad-python-e2e-'));
    await mkdir(join(work, 'def'));
    await copyFile(join(REPO, 'images/python/image.yaml'), join(work, 'def/image.yaml'));
    const ctx = createContext({ home: join(work, 'home') });
    const loaded = await loadDefinition(join(work, 'def'));
    plan = await planLock(loaded, { platforms: ['linux/amd64', 'linux/arm64'] }, ctx);
    await writeLockfile(loaded.dir, plan.lock);
    built = await buildImages(loaded, plan.lock, { out: join(work, 'out') }, ctx);
  });
  after(async () => rm(work, { recursive: true, force: true }));

  test('the runtime closure holds no debconf, perl, dpkg, bash or coreutils', () => {
    for (const t of plan.targets.filter((x) => x.variant === 'runtime')) {
      const names = t.locked.packages.map((p) => p.name);
      for (const banned of ['debconf', 'perl-base', 'perl', 'dpkg', 'bash', 'coreutils']) {
        assert.ok(!names.includes(banned), `${t.platform} ships ${banned}`);
      }
      assert.ok(names.includes('python3.11-minimal'));
    }
  });

  test('amd64 runtime is at most 20 MB compressed and has no shell, package manager or setuid file', async () => {
    const amd64 = built.images[0]?.platforms.find((p) => p.platform === 'linux/amd64');
    assert.ok(amd64);
    assert.ok(amd64.compressedSize <= 20_000_000, `compressed size ${amd64.compressedSize}`);
    const source = imageSourceFrom(layoutBlobStore(join(work, 'out')), '3.11-amd64');
    const fs = await flattenImage(await source.resolve());
    for (const p of ['usr/bin/sh', 'usr/bin/bash', 'usr/bin/dash', 'usr/bin/apt', 'usr/bin/apt-get', 'usr/bin/dpkg']) {
      assert.equal(fs.get(p), undefined, `${p} is present`);
    }
    const setid = fs.paths().filter((p) => ((fs.get(p)?.mode ?? 0) & 0o6000) !== 0);
    assert.deepEqual(setid, []);
    assert.equal((await source.resolve().then((i) => i.config())).config?.User, '65532:65532');
  });

  test('an empty cache rebuilds the identical index', async () => {
    const ctx = createContext({ home: join(work, 'home2') });
    const loaded = await loadDefinition(join(work, 'def'));
    const again = await buildImages(loaded, plan.lock, { out: join(work, 'out2') }, ctx);
    assert.equal(again.images[0]?.index.digest, built.images[0]?.index.digest);
  });

  test('skopeo and umoci read the layout', async () => {
    const { stdout } = await run('skopeo', ['inspect', `oci:${join(work, 'out')}:3.11-amd64`]);
    assert.equal(JSON.parse(stdout).Architecture, 'amd64');
    await run('umoci', ['unpack', '--image', `${join(work, 'out')}:3.11-amd64`, join(work, 'bundle')]);
    await run('test', ['-x', join(work, 'bundle/rootfs/usr/bin/python3.11')]);
  });

  test('the SBOM lists exactly the locked packages, and a push to a real registry round-trips the digest', async () => {
    const locked = plan.targets.find((t) => t.variant === 'runtime' && t.platform === 'linux/amd64')!.locked;
    const io = captureIO(work, { IRONCLAD_HOME: join(work, 'home') });
    assert.equal(await runCli(['sbom', `oci:${join(work, 'out')}:3.11-amd64`, '--format', 'spdx-json'], io), 0);
    const spdx = JSON.parse(io.out.join('\n'));
    const debs = spdx.packages
      .map((p: { versionInfo?: string; externalRefs?: { referenceLocator: string }[] }) => ({
        purl: p.externalRefs?.find((r) => r.referenceLocator.startsWith('pkg:deb/'))?.referenceLocator,
        version: p.versionInfo,
      }))
      .filter((p: { purl?: string }) => p.purl !== undefined)
      .map((p: { purl: string; version: string }) => `${p.purl.slice(15, p.purl.indexOf('@'))} ${p.version}`)
      .sort();
    assert.deepEqual(debs, locked.packages.map((p) => `${p.name} ${p.version}`).sort());

    const registry = await startRegistry();
    try {
      const target = `docker://${registry.host}/ironclad/python:3.11`;
      assert.equal(await runCli(['push', `oci:${join(work, 'out')}:3.11`, target], io), 0, io.err.join('\n'));
      const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', target]);
      assert.equal(`sha256:${createHash('sha256').update(stdout).digest('hex')}`, built.images[0]?.index.digest);
      await run('skopeo', [
        'copy',
        '--all',
        '--preserve-digests',
        '--src-tls-verify=false',
        target,
        `oci:${join(work, 'back')}:3.11`,
      ]);
      const index = JSON.parse(await readFile(join(work, 'back/index.json'), 'utf8'));
      assert.equal(index.manifests[0].digest, built.images[0]?.index.digest);
    } finally {
      await registry.stop();
    }
  });
});
