import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { withLayoutLock } from '../../src/oci/layout-lock.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'layout-lock-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the lock file holds its owner pid while held, and nothing is left after', async () => {
  const lock = join(dir, 'a.lock');
  const seen = await withLayoutLock(lock, () => readFile(lock, 'utf8'));
  assert.equal(seen, String(process.pid));
  assert.deepEqual(await readdir(dir), []);
});

test('a lock left by a dead process, or one without a pid, is stale and taken over', async () => {
  // The pid of a process that has exited.
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  for (const content of [String(dead), '']) {
    const lock = join(dir, 'b.lock');
    await writeFile(lock, content);
    assert.equal(await withLayoutLock(lock, async () => 'ran'), 'ran');
    assert.deepEqual(await readdir(dir), []);
  }
});
