import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDeb } from '../../src/debian/index.ts';
import { readDebCached } from '../../src/image/deb-cache.ts';
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
  const direct = await readDeb(deb.path);
  const first = await readDebCached(deb.path, deb.sha256, home);
  const cached = await readDebCached(deb.path, deb.sha256, home);
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
  const again = await readDebCached(deb.path, deb.sha256, home);
  assert.deepEqual(again.entries, direct.entries);
});
