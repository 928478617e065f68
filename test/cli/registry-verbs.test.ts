import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { CliIO } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { createContext } from '../../src/core/context.ts';
import { Home, silentLogger } from '../../src/core/index.ts';
import { buildImages, CYCLONEDX_MEDIA_TYPE, SPDX_MEDIA_TYPE } from '../../src/image/index.ts';
import { type Digest, digestOf, LayoutStore, parseManifest } from '../../src/oci/index.ts';
import { createRegistryClient } from '../../src/registry/client.ts';
import { listReferrers } from '../../src/registry/referrers.ts';
import { listTags } from '../../src/registry/tags.ts';
import { createFixtureImage, type FixtureImage } from '../support/fixture-image.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

const exec = promisify(execFile);

type Captured = CliIO & { out: string[]; err: string[]; json(): Record<string, unknown> };

function capture(env: Record<string, string>): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    json: () => JSON.parse(out.join('\n')),
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    log: silentLogger,
    env,
    cwd: '/',
    isTTY: false,
  };
}

interface Item {
  kind: string;
  digest: string;
  mounted?: boolean;
}

describe('push, pull, copy, mirror and registry references against a real registry', () => {
  let registry: RegistryServer;
  let fx: FixtureImage;
  let work: string;
  let indexDigest: Digest;
  let platformDigest: Digest;
  /** An io whose IRONCLAD_HOME is `home` and whose Docker config is empty (no credential helpers run). */
  let io: (home?: string) => Captured;

  before(async () => {
    registry = await startRegistry();
    fx = await createFixtureImage();
    const built = await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro }, fx.ctx);
    indexDigest = built.images[0]!.index.digest;
    platformDigest = built.images[0]!.platforms[0]!.manifest.digest;
    work = await mkdtemp(join(tmpdir(), 'ironclad-registry-verbs-'));
    await mkdir(join(work, 'docker'));
    io = (home = fx.home) => capture({ IRONCLAD_HOME: home, DOCKER_CONFIG: join(work, 'docker'), HOME: work });
  });
  after(async () => {
    await registry.stop();
    await fx.close();
    await rm(work, { recursive: true, force: true });
  });

  const ref = (path: string) => `docker://${registry.host}/${path}`;

  test('push sends the whole index with its SBOM referrers; skopeo reads the same digest', async () => {
    const a = io();
    assert.equal(
      await runCli(['push', 'fixture:1.0', ref('team/fixture:1.0'), '--format', 'json'], a),
      0,
      a.err.join('\n'),
    );
    const report = a.json();
    assert.equal(report.digest, indexDigest);
    assert.equal(report.destination, ref('team/fixture:1.0'));
    const transferred = report.transferred as Item[];
    assert.ok(transferred.some((i) => i.kind === 'blob'));
    assert.deepEqual(report.skipped, []);

    const { stdout } = await exec('skopeo', ['inspect', '--tls-verify=false', '--raw', ref('team/fixture:1.0')], {
      encoding: 'buffer',
    });
    assert.equal(digestOf(new Uint8Array(stdout)), indexDigest);
    const client = createRegistryClient({ host: registry.host }, createContext({ home: work }));
    const referrers = await listReferrers(client, 'team/fixture', platformDigest);
    assert.deepEqual(referrers.map((r) => r.artifactType).sort(), [SPDX_MEDIA_TYPE, CYCLONEDX_MEDIA_TYPE].sort());
  });

  test('a second push transfers nothing; the text report lists what was already there', async () => {
    const a = io();
    assert.equal(await runCli(['push', 'fixture:1.0', ref('team/fixture:1.0'), '--format', 'json'], a), 0);
    assert.deepEqual(a.json().transferred, []);
    assert.equal(a.json().bytesTransferred, 0);
    const b = io();
    assert.equal(await runCli(['push', 'fixture:1.0', ref('team/fixture')], b), 0);
    const text = b.out.join('\n');
    assert.match(text, /^STATUS\s+KIND\s+DIGEST/);
    assert.match(text, /0 blobs and 0 manifests transferred/);
    assert.match(
      text,
      new RegExp(`pushed docker://${registry.host}/team/fixture:1\\.0`),
      'the tag defaults to the source’s',
    );
    assert.match(text, new RegExp(`digest: ${indexDigest}`));
  });

  test('inspect reads a registry reference without pulling it', async () => {
    const home = join(work, 'empty-home');
    const a = io(home);
    assert.equal(await runCli(['inspect', ref('team/fixture:1.0'), '--format', 'json'], a), 0, a.err.join('\n'));
    const inspection = a.json() as { top: { digest: string }; platforms: { manifest: { digest: string } }[] };
    assert.equal(inspection.top.digest, indexDigest);
    assert.equal(inspection.platforms[0]?.manifest.digest, platformDigest);
    assert.equal((await LayoutStore.open(new Home(home).store, { create: true }).then((s) => s.listTags())).length, 0);
  });

  test('pull into a fresh store: same digest, referrers included, addressable by repository path', async () => {
    const home = join(work, 'pull-home');
    const a = io(home);
    assert.equal(await runCli(['pull', ref('team/fixture:1.0'), '--format', 'json'], a), 0, a.err.join('\n'));
    assert.equal(a.json().destination, 'team/fixture:1.0');
    const store = await LayoutStore.open(new Home(home).store);
    assert.equal((await store.resolveTag('team/fixture:1.0'))?.digest, indexDigest);
    const referrers = await store.referrers(platformDigest);
    assert.deepEqual(referrers.map((r) => r.artifactType).sort(), [SPDX_MEDIA_TYPE, CYCLONEDX_MEDIA_TYPE].sort());

    const b = io(home);
    assert.equal(await runCli(['inspect', 'team/fixture:1.0', '--format', 'json'], b), 0, b.err.join('\n'));
    assert.equal((b.json() as { top: { digest: string } }).top.digest, indexDigest);
  });

  test('pull by digest into an OCI layout; one platform only with --platform', async () => {
    const dir = join(work, 'pulled-layout');
    const a = io();
    const byDigest = ref(`team/fixture@${indexDigest}`);
    assert.equal(await runCli(['pull', byDigest, `oci:${dir}:v1`, '--format', 'json'], a), 0, a.err.join('\n'));
    const { stdout } = await exec('skopeo', ['inspect', '--raw', `oci:${dir}:v1`], { encoding: 'buffer' });
    assert.equal(digestOf(new Uint8Array(stdout)), indexDigest);

    const b = io();
    const args = ['pull', ref('team/fixture:1.0'), `oci:${dir}:amd64`, '--platform', 'linux/amd64', '--no-referrers'];
    assert.equal(await runCli([...args, '--format', 'json'], b), 0, b.err.join('\n'));
    assert.equal(b.json().digest, platformDigest);
  });

  test('copy: registry to registry mounts blobs; one platform by default; referrers on request', async () => {
    const a = io();
    const args = ['copy', ref('team/fixture:1.0'), ref('other/fixture:copy'), '--all-platforms', '--referrers'];
    assert.equal(await runCli([...args, '--format', 'json'], a), 0, a.err.join('\n'));
    assert.equal(a.json().digest, indexDigest);
    assert.ok(
      (a.json().transferred as Item[]).some((i) => i.mounted === true),
      'same-registry blobs are mounted',
    );
    const client = createRegistryClient({ host: registry.host }, createContext({ home: work }));
    assert.equal((await listReferrers(client, 'other/fixture', platformDigest)).length, 2);

    const b = io();
    const one = ['copy', ref('team/fixture:1.0'), `oci:${join(work, 'copied')}:one`, '--platform', 'linux/amd64'];
    assert.equal(await runCli([...one, '--format', 'json'], b), 0, b.err.join('\n'));
    assert.equal(b.json().digest, platformDigest);
    const layout = await LayoutStore.open(join(work, 'copied'));
    assert.deepEqual(await layout.referrers(platformDigest), [], 'no referrers without --referrers');
  });

  test('mirror copies the matching tags with every referrer', async () => {
    assert.equal(await runCli(['push', 'fixture:1.0', ref('team/fixture:2.0')], io()), 0);
    const a = io();
    const args = ['mirror', ref('team/fixture'), `${registry.host}/mirror/fixture`, '--tags', '1.*'];
    assert.equal(await runCli([...args, '--format', 'json'], a), 0, a.err.join('\n'));
    const tags = a.json().tags as { tag: string; digest: string }[];
    assert.deepEqual(
      tags.map((t) => [t.tag, t.digest]),
      [['1.0', indexDigest]],
    );
    const client = createRegistryClient({ host: registry.host }, createContext({ home: work }));
    const mirrored = (await listTags(client, 'mirror/fixture')).filter((t) => !t.startsWith('sha256-'));
    assert.deepEqual(mirrored, ['1.0']);
    assert.equal((await listReferrers(client, 'mirror/fixture', platformDigest)).length, 2);
    const top = await exec('skopeo', ['inspect', '--tls-verify=false', '--raw', ref('mirror/fixture:1.0')], {
      encoding: 'buffer',
    });
    assert.equal(parseManifest(new Uint8Array(top.stdout)).kind, 'index');

    const b = io();
    assert.equal(await runCli(['mirror', ref('team/fixture'), ref('mirror/fixture'), '--tags', 'none*'], b), 0);
    assert.match(b.out.join('\n'), /nothing mirrored/);
  });

  test('wrong-sided references are usage errors (exit 2)', async () => {
    const cases = [
      ['push', 'fixture:1.0', `oci:${join(work, 'x')}`],
      ['push', 'fixture:1.0', ref(`team/fixture@${indexDigest}`)],
      ['pull', 'fixture:1.0'],
      ['pull', ref('team/fixture:1.0'), ref('team/again:1.0')],
      ['copy', 'fixture:1.0', `docker-archive:${join(work, 'out.tar')}`],
      ['mirror', ref('team/fixture:1.0'), ref('mirror/fixture')],
      ['push', 'fixture:1.0', ref('team/fixture:1.0'), '--format', 'yaml'],
      ['push', 'fixture:1.0', ref('team/fixture:1.0'), '--platform', 'amd64'],
    ];
    for (const args of cases) {
      const a = io();
      assert.equal(await runCli(args, a), 2, `${args.join(' ')}: ${a.err.join('\n')}`);
    }
  });

  test('a missing source image is reported, not a crash', async () => {
    const a = io();
    const status = await runCli(['pull', ref('team/fixture:nope')], a);
    assert.ok(status === 2 || status === 4, `exit ${status}: ${a.err.join('\n')}`);
    assert.match(a.err.join('\n'), /^error: /);
  });
});
