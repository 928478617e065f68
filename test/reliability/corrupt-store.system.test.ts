import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { Home } from '../../src/core/index.ts';
import { LayoutStore, MAX_MANIFEST_BYTES, parseManifest } from '../../src/oci/index.ts';
import { captureIO } from '../support/cli-io.ts';
import { createFixtureArchive, type FixtureArchive, writeFixtureDistroFile } from '../support/fixture-archive.ts';
import { startRegistry } from '../support/registry-server.ts';

/**
 * Issue 12, item 4: `verify` over a corrupt store. With a corrupted index, manifest, config or layer blob in the
 * local store, `verify` fails (layers with --deep) naming the blob, `inspect` fails with exit 3, `store verify`
 * reports it (and --repair removes it), and the next build replaces what it can re-create.
 */

const DEFINITION = `name: tool
distro: fixture
platforms: [linux/amd64]
tags: ["1"]
packages: [hello]
`;

describe('a corrupt local store', () => {
  let fx: FixtureArchive;
  let dir: string;
  let home: string;
  const cli = async (...args: string[]) => {
    const io = captureIO(dir, { IRONCLAD_HOME: home, IRONCLAD_PASSWORD: 'pw' });
    const status = await runCli(args, io);
    return { status, out: io.out.join('\n'), err: io.err.join('\n') };
  };
  const build = () => cli('build', 'tool', '--distros', 'distros', '--no-test', '--key', 'ironclad.key');
  const verify = (...extra: string[]) => cli('verify', 'tool:1', '--key', 'ironclad.pub', ...extra);

  /** The blobs of `tool:1`: its index, the platform manifest, the config and the first layer. */
  async function blobs() {
    const store = await LayoutStore.open(new Home(home).store);
    const index = (await store.listTags()).find((t) => t.name === 'tool:1')!.descriptor;
    const read = async (d: typeof index) => parseManifest(await store.readBlob(d.digest, MAX_MANIFEST_BYTES));
    const top = await read(index);
    assert.equal(top.kind, 'index');
    const manifest = top.kind === 'index' ? top.index.manifests[0]! : index;
    const parsed = await read(manifest);
    assert.equal(parsed.kind, 'manifest');
    const m = parsed.kind === 'manifest' ? parsed.manifest : undefined;
    return {
      store,
      index: index.digest,
      manifest: manifest.digest,
      config: m!.config.digest,
      layer: m!.layers[0]!.digest,
    };
  }

  /** Changes a stored blob's bytes in place, keeping JSON documents parseable. */
  async function corrupt(digest: string): Promise<string> {
    const path = (await blobs()).store.blobPath(digest as never);
    const bytes = await readFile(path);
    if (bytes[0] === 0x7b) await writeFile(path, Buffer.concat([bytes, Buffer.from('\n')]));
    else {
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
      await writeFile(path, bytes);
    }
    return path;
  }

  before(async () => {
    fx = await createFixtureArchive({
      suites: [
        {
          name: 'fixture',
          packages: [{ name: 'hello', version: '1.0', files: [{ path: '/usr/bin/hello', content: 'hi\n' }] }],
        },
      ],
    });
    dir = await mkdtemp(join(tmpdir(), 'rel-store-'));
    home = join(dir, 'home');
    await mkdir(join(dir, 'distros'));
    await writeFixtureDistroFile(fx, join(dir, 'distros'));
    await mkdir(join(dir, 'tool'));
    await writeFile(join(dir, 'tool/image.yaml'), DEFINITION);
    assert.equal((await cli('lock', 'tool', '--distros', 'distros')).status, 0);
    assert.equal((await cli('keygen')).status, 0);
    assert.equal((await build()).status, 0);
    const ok = await verify('--deep');
    assert.equal(ok.status, 0, ok.err);
    assert.match(ok.out, /integrity: \d+ blobs intact/);
  });
  after(async () => {
    await fx.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const role of ['config', 'manifest', 'index'] as const) {
    test(`a corrupt ${role}: verify and inspect exit 3 naming it, store verify reports it, build repairs it`, async () => {
      const digest = (await blobs())[role];
      const path = await corrupt(digest);
      const damaged = await readFile(path);
      const indexJson = await readFile(join(new Home(home).store, 'index.json'));

      const v = await verify();
      assert.equal(v.status, 3, v.out);
      assert.match(v.err, new RegExp(digest.slice(7, 20)));
      const i = await cli('inspect', 'tool:1');
      assert.equal(i.status, 3, i.out);
      assert.match(i.err, new RegExp(digest.slice(7, 20)));
      const s = await cli('store', 'verify', '--format', 'json');
      assert.equal(s.status, 3);
      assert.deepEqual(JSON.parse(s.out).blobs.corrupt, [digest]);
      // Reading is not writing: verify, inspect and store verify (without --repair) changed nothing.
      assert.deepEqual(await readFile(path), damaged);
      assert.deepEqual(await readFile(join(new Home(home).store, 'index.json')), indexJson);

      const rebuilt = await build();
      assert.equal(rebuilt.status, 0, rebuilt.err);
      assert.equal((await cli('store', 'verify')).status, 0);
      assert.equal((await verify('--deep')).status, 0);
    });
  }

  test('a corrupt layer: verify --deep catches it, store verify --repair removes it, build restores it', async () => {
    const digest = (await blobs()).layer;
    const path = await corrupt(digest);
    assert.equal((await verify()).status, 0, 'without --deep, layers are not hashed');
    const deep = await verify('--deep');
    assert.equal(deep.status, 3);
    assert.match(deep.out, new RegExp(`FAILED\\s+layer ${digest}: corrupt`));
    assert.match(deep.err, new RegExp(`corrupt layer ${digest}`));

    const repair = await cli('store', 'verify', '--repair');
    assert.equal(repair.status, 3);
    assert.match(repair.out, new RegExp(`CORRUPT\\s+${digest}\\s+\\(removed\\)`));
    assert.match(repair.out, /DAMAGED\s+tool:1/);
    assert.match(repair.err, /hint: 1 corrupt blob\(s\) removed; rebuild/);
    await assert.rejects(stat(path));
    const missing = await cli('store', 'verify', '--format', 'json');
    assert.equal(missing.status, 3);
    const entry = JSON.parse(missing.out).entries.find((e: { ref: string }) => e.ref === 'tool:1');
    assert.deepEqual(
      entry.problems.map((p: { problem: string; role: string }) => `${p.problem} ${p.role}`),
      ['missing layer'],
    );

    assert.equal((await build()).status, 0);
    const clean = await cli('store', 'verify');
    assert.equal(clean.status, 0, clean.out);
    assert.match(clean.out, /store verified/);
  });

  test('a pull that finds a corrupt blob it can fetch again replaces it', async () => {
    const registry = await startRegistry();
    try {
      const remote = `${registry.host}/team/tool:1`;
      const push = await cli('push', 'tool:1', remote);
      assert.equal(push.status, 0, push.err);
      const { layer, config } = await blobs();
      await corrupt(layer);
      await corrupt(config);
      assert.equal((await cli('store', 'verify')).status, 3);
      const pull = await cli('pull', remote);
      assert.equal(pull.status, 0, pull.err);
      const after = await cli('store', 'verify');
      assert.equal(after.status, 0, after.out);
      assert.equal((await verify('--deep')).status, 0);
    } finally {
      await registry.stop();
    }
  });
});
