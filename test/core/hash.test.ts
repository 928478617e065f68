import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sha256File } from '../../src/core/hash.ts';

test('sha256File gives every file its own digest and size, reads spanning many buffers, calls running at once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hash-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // Empty, smaller than one read, exactly one read, and several reads with a partial last one.
  const sizes = [0, 1, 4096, 1024 * 1024, 3 * 1024 * 1024 + 17];
  const files = await Promise.all(
    [...sizes, ...sizes].map(async (size, i) => {
      const bytes = randomBytes(size);
      const path = join(dir, `f${i}`);
      await writeFile(path, bytes);
      return { path, size, hex: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
  for (let round = 0; round < 2; round++) {
    const got = await Promise.all(files.map((f) => sha256File(f.path)));
    assert.deepEqual(
      got,
      files.map((f) => ({ hex: f.hex, size: f.size })),
    );
  }
  await assert.rejects(sha256File(join(dir, 'missing')), { code: 'ENOENT' });
});
