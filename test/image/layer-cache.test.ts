import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Home, silentLogger } from '../../src/core/index.ts';
import { InFlightLayers, layerCache, storeLayer } from '../../src/image/layer-cache.ts';
import { LayoutStore, layoutEndpoint } from '../../src/oci/index.ts';
import { file as fixtureFile } from '../support/oci-image.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ironclad-layer-cache-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** A file big enough that compressing it is real work. */
const file = (path: string, text: string) => fixtureFile(path, text.repeat(4096));

test('two builds storing one layer at once compress it once; the other takes its blob', async () => {
  const layout = join(dir, 'store');
  await LayoutStore.open(layout, { create: true });
  const out = layoutEndpoint(layout);
  // Each build has its own cache object, as two images built at once do: both miss before either puts the layer.
  const caches = [0, 1].map(() => layerCache({ home: new Home(join(dir, 'home')), log: silentLogger }));
  const shared = [file('usr/lib/libshared.so.1', 'shared bytes\n')];
  const own = [file('usr/bin/own', 'own bytes\n')];
  const inFlight = new InFlightLayers();
  const [a, b, c] = await Promise.all([
    storeLayer(shared, out, caches[0]!, undefined, inFlight),
    storeLayer(shared, out, caches[1]!, undefined, inFlight),
    storeLayer(own, out, caches[1]!, undefined, inFlight),
  ]);
  assert.equal(inFlight.compressed, 2, 'the shared layer once, the other layer once');
  assert.deepEqual(b?.descriptor, a?.descriptor);
  assert.deepEqual([a?.origin, b?.origin, c?.origin], ['compressed', 'cache', 'compressed']);
  assert.ok(await out.requireWriter().hasBlob(a!.descriptor));

  // Stored, the layer leaves the in-flight map: the next build finds it in the layer cache.
  const again = await storeLayer(shared, out, caches[0]!, undefined, inFlight);
  assert.equal(again.origin, 'cache');
  assert.equal(inFlight.compressed, 2);
});
