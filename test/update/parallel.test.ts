import assert from 'node:assert/strict';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { silentLogger } from '../../src/core/index.ts';
import { inFlightLayers } from '../../src/image/layer-cache.ts';
import { imageSourceFrom, LayoutStore, layoutBlobStore } from '../../src/oci/index.ts';
import { captureIO } from '../support/cli-io.ts';
import { createUpdateFixture, type UpdateFixture } from '../support/update-fixture.ts';

// One update builds its images in parallel (a base before what extends it), compresses each layer once, and ends
// with the digests a one-at-a-time update of a copy of the same catalog and home reaches.

const TAGS = ['config:5', 'lib:1', 'tool:2', 'a-lib:1-corp'] as const;

let fx: UpdateFixture;
const twin = () => join(fx.dir, 'twin');

before(async () => {
  fx = await createUpdateFixture();
  await mkdir(join(fx.dir, 'images/a-lib'));
  await writeFile(join(fx.dir, 'images/a-lib/image.yaml'), 'extends: lib\nname: a-lib\ntags: ["1-corp"]\n');
  const r = await fx.cli('lock', 'images/a-lib', '--distros', 'distros');
  assert.equal(r.code, 0, r.err);
  for (const d of ['images', 'distros']) await cp(join(fx.dir, d), join(twin(), d), { recursive: true });
});
after(() => fx.close());

/** Runs `update` in `dir` (home `dir/home`): exit status, JSON report, progress lines, layers compressed. */
async function update(dir: string, jobs: string) {
  const progress: string[] = [];
  const io = {
    ...captureIO(dir, { IRONCLAD_HOME: join(dir, 'home') }),
    log: { ...silentLogger, progress: (m: string) => void (m !== '' && progress.push(m)) },
  };
  const before = inFlightLayers.compressed;
  const code = await runCli(['update', '--distros', 'distros', '--no-test', '--jobs', jobs, '--format', 'json'], io);
  assert.equal(code, 0, io.err.join('\n'));
  return { report: JSON.parse(io.out.join('\n')), progress, compressed: inFlightLayers.compressed - before };
}

async function tags(dir: string) {
  const store = await LayoutStore.open(join(dir, 'home', 'store'));
  return Object.fromEntries(await Promise.all(TAGS.map(async (t) => [t, (await store.resolveTag(t))?.digest])));
}

test('a parallel update compresses each layer once and builds what a sequential one builds', async () => {
  const parallel = await update(fx.dir, '4');
  const names = parallel.report.images.map((i: { name: string }) => i.name);
  assert.deepEqual(names, ['lib', 'a-lib', 'config', 'tool'], 'the plan order: a base before what extends it');
  const statuses = parallel.report.images.map((i: { variants: { status: string }[] }) => i.variants[0]?.status);
  assert.deepEqual(statuses, ['updated', 'updated', 'updated', 'updated']);
  const variant = (name: string) => parallel.report.images.find((i: { name: string }) => i.name === name).variants[0];
  assert.equal(variant('a-lib').base.to, variant('lib').digest, 'the customization was built on its base, after it');

  // Every layer of every image, by digest: each was compressed once in the run, shared ones included.
  const blobs = layoutBlobStore(join(fx.dir, 'home', 'store'));
  const layers: string[] = [];
  for (const t of TAGS)
    layers.push(...(await imageSourceFrom(blobs, t).resolve()).manifest().layers.map((l) => l.digest));
  const distinct = new Set(layers);
  assert.ok(layers.length > distinct.size, 'the images share layers');
  assert.equal(parallel.compressed, distinct.size, `${parallel.compressed} compressions of ${distinct.size} layers`);
  // One line per step, each naming its image: lines of images built at once interleave whole.
  const building = parallel.progress.slice(parallel.progress.findIndex((l) => l.endsWith(': building')));
  for (const line of building) assert.match(line, /^\[(a-lib|config|lib|tool)\] /, line);

  const sequential = await update(twin(), '1');
  assert.equal(sequential.compressed, parallel.compressed);
  assert.deepEqual(await tags(fx.dir), await tags(twin()));
  assert.ok(Object.values(await tags(fx.dir)).every((d) => d !== undefined));
});

test('--jobs takes a whole number of 1 or more', async () => {
  const r = await fx.cli('update', '--distros', 'distros', '--jobs', '0');
  assert.equal(r.code, 2);
  assert.match(r.err, /--jobs 0: expected a whole number/);
});
