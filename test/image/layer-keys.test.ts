import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Home, silentLogger } from '../../src/core/index.ts';
import { layerCache, storeLayer } from '../../src/image/layer-cache.ts';
import { layerKey } from '../../src/image/layer-keys.ts';
import { openEndpoint, parseImageRef, TAR_FORMAT, type TarEntry, writeLayer } from '../../src/oci/index.ts';

const ENTRIES: TarEntry[] = [
  { type: 'dir', path: 'usr', mode: 0o755, uid: 0, gid: 0, mtime: 100 },
  { type: 'file', path: 'usr/hello', mode: 0o755, uid: 0, gid: 0, mtime: 100, data: Buffer.from('hello\n') },
  { type: 'symlink', path: 'usr/hi', mode: 0o777, uid: 0, gid: 0, mtime: 100, target: 'hello' },
];

test('a layer key covers every field of every entry and the file bytes, not the buffers holding them', () => {
  const key = layerKey(ENTRIES);
  assert.match(key, /^[0-9a-f]{64}$/);
  const copy = ENTRIES.map((e) => (e.type === 'file' ? { ...e, data: Buffer.from(e.data) } : { ...e }));
  assert.equal(layerKey(copy), key, 'same content in other buffers');
  const variants: TarEntry[][] = [
    ENTRIES.map((e) => (e.type === 'file' ? { ...e, data: Buffer.from('hellO\n') } : e)),
    ENTRIES.map((e) => (e.type === 'file' ? { ...e, mode: 0o4755 } : e)),
    ENTRIES.map((e) => (e.type === 'dir' ? { ...e, mtime: 101 } : e)),
    ENTRIES.map((e) => (e.type === 'symlink' ? { ...e, target: 'hello2' } : e)),
    ENTRIES.map((e) => (e.type === 'symlink' ? { ...e, gid: 1 } : e)),
    ENTRIES.map((e) => (e.type === 'file' ? { ...e, path: 'usr/hellp' } : e)),
    ENTRIES.slice(0, 2),
  ];
  for (const v of variants) assert.notEqual(layerKey(v), key);
});

test("a layer key is the v1 definition: sha256 over each entry's sorted [field, value] pairs as JSON, whatever the fields", () => {
  // The definition written plainly; the keys stored by earlier builds stay valid only while layerKey gives these.
  const reference = (entries: readonly TarEntry[]) => {
    const h = createHash('sha256').update(`ironclad-layer-key-v1\n${TAR_FORMAT}\n`);
    for (const e of entries) {
      const fields = Object.entries(e)
        .filter(([k]) => k !== 'data')
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      h.update(JSON.stringify(fields));
      if (e.type === 'file') h.update(` ${e.data.length} ${createHash('sha256').update(e.data).digest('hex')}`);
      h.update('\n');
    }
    return h.digest('hex');
  };
  const odd = [
    // Fields in another order, a field a future entry type might carry, a string needing JSON escapes.
    {
      mtime: 5,
      gid: 0,
      uid: 0,
      mode: 0o644,
      path: 'etc/"q"\\é',
      type: 'file',
      data: Buffer.alloc(0),
      xattrs: { a: 1 },
    },
    { type: 'hardlink', path: 'etc/l', mode: 0o644, uid: 0, gid: 0, mtime: 5, target: 'etc/"q"\\é', extra: undefined },
  ] as unknown as TarEntry[];
  for (const entries of [ENTRIES, odd, [...ENTRIES, ...odd], []]) assert.equal(layerKey(entries), reference(entries));
});

test('a layer found by its key is reused with the same digests; a damaged blob or forged entry is not trusted', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'layer-keys-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const warnings: string[] = [];
  const cache = layerCache({
    home: new Home(join(dir, 'home')),
    log: { ...silentLogger, warn: (m) => warnings.push(m) },
  });
  const out = openEndpoint(parseImageRef(`oci:${join(dir, 'layout')}:v1`), { home: new Home(dir) });
  const expected = await writeLayer(ENTRIES, { compression: 'gzip' });

  const first = await storeLayer(ENTRIES, out, cache);
  assert.equal(first.origin, 'compressed');
  assert.deepEqual([first.descriptor, first.diffId], [expected.descriptor, expected.diffId]);
  const again = await storeLayer(ENTRIES, out, cache);
  assert.equal(again.origin, 'cache');
  assert.deepEqual(
    [again.descriptor, again.diffId, again.uncompressedSize],
    [first.descriptor, first.diffId, first.uncompressedSize],
  );

  // The stored blob damaged: the key's entry is not enough, the layer is made again and the store repaired.
  const blob = join(dir, 'layout', 'blobs', 'sha256', first.descriptor.digest.slice('sha256:'.length));
  await writeFile(blob, Buffer.from('not a layer'));
  const repaired = await storeLayer(ENTRIES, out, cache);
  assert.notEqual(repaired.origin, 'cache');
  assert.deepEqual(repaired.descriptor, first.descriptor);
  assert.deepEqual(await readFile(blob), expected.bytes);

  // An entry re-sealed without the home's secret is discarded, said, and rebuilt.
  const keysRoot = join(dir, 'home', 'cache', 'derived', 'layer-keys');
  const [file] = (await readdir(keysRoot, { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
  const path = join(file!.parentPath, file!.name);
  const bytes = await readFile(path);
  bytes[bytes.length - 1]! ^= 1;
  await writeFile(path, bytes);
  const rebuilt = await storeLayer(ENTRIES, out, cache);
  assert.deepEqual(rebuilt.descriptor, first.descriptor);
  assert.match(warnings.join('\n'), /discarding layer-keys entry .*seal \(HMAC\) does not verify/);
  assert.equal((await storeLayer(ENTRIES, out, cache)).origin, 'cache');
});

test('--no-cache computes no key and stores none', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'layer-keys-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cache = layerCache({ home: new Home(join(dir, 'home')), log: silentLogger, enabled: false });
  const out = openEndpoint(parseImageRef(`oci:${join(dir, 'layout')}:v1`), { home: new Home(dir) });
  assert.equal((await storeLayer(ENTRIES, out, cache)).origin, 'compressed');
  assert.equal((await storeLayer(ENTRIES, out, cache)).origin, 'compressed');
  await assert.rejects(readdir(join(dir, 'home', 'cache', 'derived', 'layer-keys')));
});
