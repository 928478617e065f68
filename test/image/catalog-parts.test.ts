import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  buildWeight,
  CATALOG_PARTS,
  catalogImages,
  catalogParts,
  emulatedDevSample,
  IMAGES_DIR,
  inDistroOrder,
} from '../support/catalog-e2e.ts';

test('every catalog image is in exactly one part of the catalog e2e test, and every part has its file', () => {
  const images = catalogImages();
  assert.ok(images.length >= 15 && !images.includes('reference'), images.join(', '));
  const parts = catalogParts(images, CATALOG_PARTS, (n) => buildWeight(n));
  assert.deepEqual(parts.flat().sort(), images);
  for (const p of parts) assert.ok(p.length > 0, 'no part is empty');
  const files = readdirSync(import.meta.dirname).filter((f) => /^catalog(-\d+)?\.e2e\.test\.ts$/.test(f));
  const expected = [
    'catalog.e2e.test.ts',
    ...Array.from({ length: CATALOG_PARTS - 1 }, (_, i) => `catalog-${i + 2}.e2e.test.ts`),
  ];
  assert.deepEqual(files.sort(), expected.sort());
  assert.ok(readdirSync(IMAGES_DIR).includes('reference'), 'the reference images stay out of the catalog');
});

test('parts are balanced by weight, heaviest first, the same on every run', () => {
  const w: Record<string, number> = { a: 10, b: 9, c: 5, d: 4, e: 1 };
  const parts = catalogParts(Object.keys(w), 2, (n) => w[n]!);
  assert.deepEqual(parts, [
    ['a', 'd', 'e'],
    ['b', 'c'],
  ]);
  assert.deepEqual(
    catalogParts(Object.keys(w).reverse(), 2, (n) => w[n]!),
    parts,
  );
  assert.deepEqual(
    catalogParts(['x'], 3, () => 1),
    [['x'], [], []],
  );
});

test('an image weighs the packages of its lock plus a share per variant and platform; no lock, one small share', () => {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-parts-'));
  try {
    mkdirSync(join(dir, 'img'));
    writeFileSync(join(dir, 'img', 'image.yaml'), 'name: img\n');
    mkdirSync(join(dir, 'reference'));
    assert.equal(buildWeight('img', dir), 100);
    const platforms = { 'linux/amd64': { packages: [1, 2] }, 'linux/arm64': { packages: [1, 2, 3] } };
    const lock = { variants: { runtime: { platforms }, dev: { platforms: { 'linux/amd64': { packages: [1] } } } } };
    writeFileSync(join(dir, 'img', 'ironclad.lock.json'), JSON.stringify(lock));
    assert.equal(buildWeight('img', dir), 50 + 2 + 50 + 3 + 50 + 1);
    assert.deepEqual(catalogImages(dir), ['img']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('under emulation one dev variant per distribution is built: the one with the fewest locked packages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-sample-'));
  try {
    const lock = (distro: string, dev?: number) => ({
      distro,
      variants: {
        runtime: { platforms: { 'linux/amd64': { packages: [1] } } },
        ...(dev === undefined ? {} : { dev: { platforms: { 'linux/amd64': { packages: Array(dev).fill(0) } } } }),
      },
    });
    const images: Record<string, object> = {
      a: lock('debian-12', 90),
      b: lock('debian-12', 87),
      c: lock('debian-12', 87),
      d: lock('debian-13', 100),
      e: lock('debian-13'),
    };
    for (const [name, l] of Object.entries(images)) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'ironclad.lock.json'), JSON.stringify(l));
    }
    assert.deepEqual([...emulatedDevSample(Object.keys(images), dir)].sort(), ['b', 'd']);
    assert.equal(emulatedDevSample(catalogImages()).size >= 2, true, 'Debian 12 and 13 each have one');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a part builds its images grouped by distribution, then by name; an image without a lock comes first', () => {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-order-'));
  try {
    for (const [name, distro] of [
      ['a', 'debian-13'],
      ['b', 'debian-12'],
      ['c', 'debian-13'],
      ['d', 'debian-12'],
    ]) {
      mkdirSync(join(dir, name!));
      writeFileSync(join(dir, name!, 'ironclad.lock.json'), JSON.stringify({ distro }));
    }
    mkdirSync(join(dir, 'e'));
    assert.deepEqual(inDistroOrder(['a', 'b', 'c', 'd', 'e'], dir), ['e', 'b', 'd', 'a', 'c']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
