import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { createContext, type StageContext } from '../../src/core/index.ts';
import { type LoadedDefinition, type Lockfile, loadDefinition, writeLockfile } from '../../src/definition/index.ts';
import { buildImages, planLock } from '../../src/image/index.ts';
import { claimTag } from '../../src/image/layer-claims.ts';
import { sharedLayerTag } from '../../src/image/shared-layers.ts';
import { buildManifest, type Digest, type ImageEndpoint, openEndpoint, parseManifest } from '../../src/oci/index.ts';
import { registryAccess, registryTransport } from '../../src/registry/index.ts';
import { startBarrierProxy } from '../support/barrier-proxy.ts';
import { SECOND_DEFINITION } from '../support/catalog-fixture.ts';
import { captureIO } from '../support/cli-io.ts';
import { startCli } from '../support/cli-process.ts';
import { writeFixtureDistroFile } from '../support/fixture-archive.ts';
import { createFixtureImage, type FixtureImage } from '../support/fixture-image.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

/** The two fixture definitions, relative to the fixture directory the CLI runs in. */
const DEFS = ['def', 'two'] as const;

/** What the race test reads from `build --format json`: the index and, per layer, where it came from. */
function buildOutput(stdout: string): { index: string; layers: { diffId: string; origin: string }[] } {
  const doc = JSON.parse(stdout) as {
    images: { index: string; platforms: { layerList: { diffId: string; origin: string }[] }[] }[];
  };
  const image = doc.images[0]!;
  return { index: image.index, layers: image.platforms.flatMap((p) => p.layerList) };
}

interface Image {
  readonly loaded: LoadedDefinition;
  readonly lock: Lockfile;
}

describe('build --cache-from: workers share compressed layers through a registry', () => {
  let fx: FixtureImage;
  let registry: RegistryServer;
  let images: readonly Image[];
  before(async () => {
    fx = await createFixtureImage();
    registry = await startRegistry();
    await mkdir(join(fx.dir, 'two'));
    await writeFile(join(fx.dir, 'two', 'image.yaml'), SECOND_DEFINITION);
    const two = await loadDefinition(join(fx.dir, 'two'));
    const plan = await planLock(two, { distroConfig: fx.archive.distro }, fx.ctx);
    await writeLockfile(two.dir, plan.lock);
    await mkdir(join(fx.dir, 'distros'));
    await writeFixtureDistroFile(fx.archive, join(fx.dir, 'distros'));
    await mkdir(join(fx.dir, 'docker'));
    images = [
      { loaded: fx.loaded, lock: fx.lock },
      { loaded: two, lock: plan.lock },
    ];
  });
  after(async () => {
    await registry.stop();
    await fx.close();
  });

  /** A worker: its own home (nothing cached), building one image, optionally sharing through `repo`. */
  const worker = (name: string) => createContext({ home: join(fx.dir, `home-${name}`) });
  const cacheRepo = (ctx: StageContext, repo: string): ImageEndpoint =>
    openEndpoint(
      { kind: 'registry', host: registry.host, repo },
      { registry: registryTransport(registryAccess({ home: ctx.home, env: {} }, ctx)) },
    );
  const build = async (image: Image, ctx: StageContext, repo?: string) => {
    const r = await buildImages(
      image.loaded,
      image.lock,
      { distroConfig: fx.archive.distro, test: false, ...(repo !== undefined && { cacheFrom: cacheRepo(ctx, repo) }) },
      ctx,
    );
    return r.images[0]!.platforms[0]!;
  };
  const compressed = (p: Awaited<ReturnType<typeof build>>) =>
    p.layers.filter((l) => l.layer.origin === 'compressed').map((l) => l.layer.diffId);

  test('the second worker compresses only the layers the first did not make; digests are a plain build’s', async () => {
    const plainOne = await build(images[0]!, worker('plain-1'));
    const plainTwo = await build(images[1]!, worker('plain-2'));
    const sharedDiffIds = plainTwo.layers
      .map((l) => l.layer.diffId)
      .filter((d) => plainOne.layers.some((l) => l.layer.diffId === d));
    assert.ok(sharedDiffIds.length >= 1, 'the two images share at least the library layer');

    const a = await build(images[0]!, worker('a'), 'cache');
    const b = await build(images[1]!, worker('b'), 'cache');
    assert.equal(a.manifest.digest, plainOne.manifest.digest);
    assert.equal(b.manifest.digest, plainTwo.manifest.digest);
    // Each layer is compressed once across both workers; the shared ones came from the registry.
    const all = [...compressed(a), ...compressed(b)];
    assert.equal(new Set(all).size, all.length);
    assert.equal(all.length, new Set([...a.layers, ...b.layers].map((l) => l.layer.diffId)).size);
    for (const d of sharedDiffIds) {
      assert.equal(b.layers.find((l) => l.layer.diffId === d)?.layer.origin, 'shared');
    }
    // A worker of the same image afterwards compresses nothing.
    const again = await build(images[1]!, worker('b2'), 'cache');
    assert.deepEqual(compressed(again), []);
    assert.equal(again.manifest.digest, plainTwo.manifest.digest);
  });

  test('two build processes started at once compress each layer once in total; digests are a sequential build’s', async () => {
    const env = (name: string) => ({
      IRONCLAD_HOME: join(fx.dir, `home-${name}`),
      DOCKER_CONFIG: join(fx.dir, 'docker'),
      HOME: fx.dir,
    });
    const args = (def: string) => ['build', def, '--distros', 'distros', '--no-test', '--format', 'json'];
    // The reference: one build after the other, no shared repository.
    const sequential = [];
    for (const def of DEFS) {
      const io = captureIO(fx.dir, env(`seq-${def}`));
      assert.equal(await runCli(args(def), io), 0, io.err.join('\n'));
      sequential.push(buildOutput(io.out.join('\n')));
    }
    const [one, two] = sequential.map((b) => new Set(b.layers.map((l) => l.diffId)));
    const common = [...one!].filter((d) => two!.has(d));
    assert.ok(common.length >= 1, 'the two images share at least the library layer');
    // Two processes racing for the same layers through one repository. The proxy holds each one's first look for a
    // shared layer until the other's has come too, so both miss every shared layer at the same instant.
    const proxy = await startBarrierProxy(
      registry.host,
      common.map((d) => `/manifests/${sharedLayerTag(d as Digest, 'gzip')}`),
      2,
    );
    const runs = await Promise.all(
      DEFS.map(
        (def) =>
          startCli([...args(def), '--cache-from', `${proxy.host}/cache-race`], env(`race-${def}`), [], fx.dir).exited,
      ),
    ).finally(() => proxy.stop());
    const raced = runs.map((r) => {
      assert.equal(r.status, 0, r.stderr);
      return buildOutput(r.stdout);
    });
    assert.equal(proxy.met(), 2 * common.length, 'both workers missed each shared layer at once');
    assert.deepEqual(
      raced.map((b) => b.index),
      sequential.map((b) => b.index),
    );
    const compressions = new Map<string, number>();
    for (const layer of raced.flatMap((b) => b.layers)) {
      const n = compressions.get(layer.diffId) ?? 0;
      compressions.set(layer.diffId, n + (layer.origin === 'compressed' ? 1 : 0));
    }
    assert.deepEqual(
      [...compressions].filter(([, n]) => n !== 1),
      [],
      'every layer compressed exactly once across both workers',
    );
    // Claims are gone once their layers are shared (this registry allows deletes).
    const reader = cacheRepo(worker('reader'), 'cache-race');
    for (const d of common) {
      await assert.rejects(reader.store.readManifest(claimTag(d as Digest, 'gzip')), { code: 'NOT_FOUND' });
    }
  });

  test('a shared layer that is not the layer its tag names is not used: the worker compresses it', async () => {
    const ctx = worker('g');
    const image = images[1]!;
    const first = await build(image, worker('h'), 'cache-bad');
    // Point every tag of the repository at one wrong layer: the tag of layer X now names layer Y's blob.
    const repo = cacheRepo(ctx, 'cache-bad');
    const [x, y] = first.layers;
    const wrong = await repo.store.readManifest(sharedLayerTag(y!.layer.diffId, 'gzip'));
    const m = parseManifest(wrong.bytes, wrong.mediaType);
    assert.equal(m.kind, 'manifest');
    const forged = buildManifest({
      artifactType: 'application/vnd.dev.ironclad.layer.v1',
      config: m.kind === 'manifest' ? m.manifest.config : y!.layer.descriptor,
      layers: [y!.layer.descriptor],
      annotations: { 'dev.ironclad.layer.diff-id': x!.layer.diffId },
    });
    await repo
      .requireWriter()
      .putManifest(forged.descriptor, forged.bytes, { tag: sharedLayerTag(x!.layer.diffId, 'gzip'), root: true });
    const rebuilt = await build(image, ctx, 'cache-bad');
    assert.equal(rebuilt.manifest.digest, first.manifest.digest);
    assert.equal(rebuilt.layers[0]?.layer.origin, 'compressed');
    assert.equal(rebuilt.layers[1]?.layer.origin, 'shared');
  });
});

test('--cache-from takes a repository, --compression gzip or zstd: anything else is a usage error', async () => {
  const io = captureIO(process.cwd(), { IRONCLAD_HOME: 'unused-home' });
  for (const bad of [
    ['--cache-from', '127.0.0.1:5000/cache:latest'],
    ['--cache-from', '127.0.0.1:5000/cache@sha256:' + '0'.repeat(64)],
    ['--cache-from', 'docker-archive:x.tar'],
    ['--compression', 'brotli'],
  ]) {
    assert.equal(await runCli(['build', 'images/none', ...bad], io), 2, bad.join(' '));
  }
});
