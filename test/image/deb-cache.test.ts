import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Home, silentLogger } from '../../src/core/index.ts';
import type { DebContents } from '../../src/debian/index.ts';
import { readDeb } from '../../src/debian/index.ts';
import { contentDigests } from '../../src/image/content-digests.ts';
import {
  cachedDebContents,
  DamagedCachedBytes,
  debContentsCache,
  debContentsPayload,
  readDebCached,
} from '../../src/image/deb-cache.ts';
import { makeDeb } from '../support/make-deb.ts';

async function entries(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

test('parsed .deb contents come back identical from the cache, and a damaged entry is ignored', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deb-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const deb = await makeDeb(
    { name: 'hello', version: '1.0', files: [{ path: '/usr/bin/hello', content: 'hi\n', mode: 0o755 }] },
    join(dir, 'debs'),
  );
  const home = join(dir, 'home');
  const cache = debContentsCache({ home: new Home(home), log: silentLogger });
  const direct = await readDeb(deb.path);
  const first = await readDebCached(deb.path, deb.sha256, cache);
  const cached = await readDebCached(deb.path, deb.sha256, cache);
  for (const got of [first, cached]) {
    assert.deepEqual(got.entries, direct.entries);
    assert.equal(got.control.get('Package'), 'hello');
    assert.equal(got.controlText, direct.controlText);
  }
  const [entry] = (await entries(join(home, 'cache'))).filter((f) => f.includes('/deb-contents/'));
  assert.ok(entry);
  const bytes = await readFile(entry);
  bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
  await writeFile(entry, bytes);
  const again = await readDebCached(deb.path, deb.sha256, cache);
  assert.deepEqual(again.entries, direct.entries);
});

test("another package's entry copied under a .deb's key is discarded, not used", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deb-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const make = (name: string) =>
    makeDeb({ name, version: '1.0', files: [{ path: `/usr/bin/${name}`, content: `${name}\n` }] }, join(dir, 'debs'));
  const [a, b] = [await make('alpha'), await make('beta')];
  const warnings: string[] = [];
  const cache = debContentsCache({
    home: new Home(join(dir, 'home')),
    log: { ...silentLogger, warn: (m) => warnings.push(m) },
  });
  await readDebCached(a.path, a.sha256, cache);
  await readDebCached(b.path, b.sha256, cache);
  const files = await entries(join(dir, 'home', 'cache'));
  const pathOf = (sha: string) => files.find((f) => f.includes('/deb-contents/') && f.endsWith(sha))!;
  await writeFile(pathOf(b.sha256), await readFile(pathOf(a.sha256)));
  const got = await readDebCached(b.path, b.sha256, cache);
  assert.equal(got.control.get('Package'), 'beta');
  assert.match(warnings.join('\n'), /discarding deb-contents entry .* entry is for key/);
});

test('every file of a cached .deb comes back with its bytes and digests, empty and binary files included', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deb-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const binary = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff);
  const deb = await makeDeb(
    {
      name: 'many',
      version: '1.0',
      files: [
        { path: '/usr/bin/many', content: binary, mode: 0o755 },
        { path: '/usr/share/many/empty', content: '' },
        { path: '/usr/share/many/link', symlink: '../../bin/many' },
        { path: '/etc/many.conf', content: 'a = 1\n' },
      ],
    },
    join(dir, 'debs'),
  );
  const cache = debContentsCache({ home: new Home(join(dir, 'home')), log: silentLogger });
  const direct = await readDeb(deb.path);
  await readDebCached(deb.path, deb.sha256, cache);
  const cached = await cachedDebContents(deb.sha256, cache);
  assert.ok(cached);
  assert.deepEqual(cached.entries, direct.entries);
  assert.deepEqual(cached.md5sums, direct.md5sums);
  assert.deepEqual(cached.controlFiles, direct.controlFiles);
  for (const e of cached.entries) {
    if (e.type !== 'file') continue;
    assert.deepEqual(contentDigests(e.data), {
      sha256: createHash('sha256').update(e.data).digest('hex'),
      md5: createHash('md5').update(e.data).digest('hex'),
    });
  }
});

test('a sealed entry whose payload is not a consistent one is discarded and the .deb read again', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deb-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const deb = await makeDeb(
    { name: 'hello', version: '1.0', files: [{ path: '/usr/bin/hello', content: 'hi\n', mode: 0o755 }] },
    join(dir, 'debs'),
  );
  const warnings: string[] = [];
  const cache = debContentsCache({
    home: new Home(join(dir, 'home')),
    log: { ...silentLogger, warn: (m) => warnings.push(m) },
  });
  const direct = await readDeb(deb.path);
  const good = debContentsPayload(direct);
  const bytes = Buffer.from(good.bytes);
  // Sealed with the home's secret, so only the payload's own consistency can catch them.
  for (const bad of [
    { metadata: good.metadata, bytes: bytes.subarray(0, bytes.length - 1) },
    { metadata: good.metadata, bytes: Buffer.concat([bytes, Buffer.from('x')]) },
    { metadata: good.metadata.subarray(0, good.metadata.length - 1), bytes },
  ]) {
    warnings.length = 0;
    await cache.metadata.put(deb.sha256, bad.metadata);
    await cache.bytes.put(deb.sha256, bad.bytes);
    assert.equal(await cachedDebContents(deb.sha256, cache), undefined);
    assert.match(warnings.join('\n'), /payload does not decode/);
    const again = await readDebCached(deb.path, deb.sha256, cache);
    assert.deepEqual(again.entries, direct.entries);
  }
});

test("a cached .deb's file bytes are read when used, checked against the sealed metadata, discarded when wrong", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deb-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const deb = await makeDeb(
    {
      name: 'two',
      version: '1.0',
      files: [
        { path: '/usr/bin/one', content: 'one\n', mode: 0o755 },
        { path: '/usr/bin/two', content: 'two\n', mode: 0o755 },
      ],
    },
    join(dir, 'debs'),
  );
  const warnings: string[] = [];
  const cache = debContentsCache({
    home: new Home(join(dir, 'home')),
    log: { ...silentLogger, warn: (m) => warnings.push(m) },
  });
  await readDebCached(deb.path, deb.sha256, cache);
  const file = (c: DebContents, name: string) => c.entries.find((e) => e.path === `usr/bin/${name}`)!;
  const bytesOf = (c: DebContents, name: string) => {
    const e = file(c, name);
    return e.type === 'file' ? Buffer.from(e.data).toString() : undefined;
  };

  // Without its bytes entry, the metadata is discarded too.
  await cache.bytes.discard(deb.sha256, 'test');
  assert.equal(await cachedDebContents(deb.sha256, cache), undefined);
  assert.match(warnings.join('\n'), /its file bytes are missing/);
  await readDebCached(deb.path, deb.sha256, cache);

  // Bytes of the same length but other content, sealed with the home's secret: the file read is caught.
  await cache.bytes.put(deb.sha256, Buffer.from('one\nTWO\n'));
  const cached = await cachedDebContents(deb.sha256, cache);
  assert.ok(cached);
  assert.equal(bytesOf(cached, 'one'), 'one\n');
  let caught: unknown;
  try {
    bytesOf(cached, 'two');
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof DamagedCachedBytes);
  assert.equal(caught.code, 'DIGEST_MISMATCH');
  await caught.discarded;
  assert.match(warnings.join('\n'), /discarding deb-contents entry .*do not match their sealed sha256/);
  assert.equal(await cachedDebContents(deb.sha256, cache), undefined);
  const again = await readDebCached(deb.path, deb.sha256, cache);
  assert.equal(bytesOf(again, 'two'), 'two\n');
  const warm = await cachedDebContents(deb.sha256, cache);
  assert.ok(warm);
  assert.equal(bytesOf(warm, 'two'), 'two\n');
});
