import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Home, silentLogger } from '../../src/core/index.ts';
import { readDeb } from '../../src/debian/index.ts';
import { contentDigests } from '../../src/image/content-digests.ts';
import { cachedDebContents, debContentsCache, debContentsPayload, readDebCached } from '../../src/image/deb-cache.ts';
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
  const [entry] = await entries(join(home, 'cache'));
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
  const pathOf = (sha: string) => files.find((f) => f.endsWith(sha))!;
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
  const good = Buffer.from(debContentsPayload(direct));
  const metaEnd = 4 + good.readUInt32BE(0);
  const longerMeta = Buffer.from(good);
  longerMeta.writeUInt32BE(good.length, 0);
  // Sealed with the home's secret, so only the payload's own consistency can catch them.
  for (const bad of [
    good.subarray(0, good.length - 1),
    Buffer.concat([good, Buffer.from('x')]),
    longerMeta,
    good.subarray(0, metaEnd - 1),
  ]) {
    warnings.length = 0;
    await cache.put(deb.sha256, bad);
    assert.equal(await cachedDebContents(deb.sha256, cache), undefined);
    assert.match(warnings.join('\n'), /payload does not decode/);
    const again = await readDebCached(deb.path, deb.sha256, cache);
    assert.deepEqual(again.entries, direct.entries);
  }
});
