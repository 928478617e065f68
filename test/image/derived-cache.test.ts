import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Home, silentLogger } from '../../src/core/index.ts';
import { derivedCache, entryPath } from '../../src/image/derived-cache.ts';

test('an entry put again with the same payload is left as it is; another payload replaces it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'derived-cache-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const home = new Home(dir);
  const cache = derivedCache('layers', 'test-format', { home, log: silentLogger });
  const key = 'a'.repeat(64);
  const path = entryPath(home, { kind: 'layers', format: 'test-format', key });
  await cache.put(key, Buffer.from('one'));
  const first = await stat(path);
  await cache.put(key, Buffer.from('one'));
  assert.equal((await stat(path)).ino, first.ino, 'not rewritten');
  await cache.put(key, Buffer.from('two'));
  assert.notEqual((await stat(path)).ino, first.ino);
  assert.deepEqual(Buffer.from((await cache.get(key))!), Buffer.from('two'));
});
