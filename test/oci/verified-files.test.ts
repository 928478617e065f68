import assert from 'node:assert/strict';
import type { BigIntStats } from 'node:fs';
import { test } from 'node:test';
import { forgetIntact, knownIntact, rememberIntact } from '../../src/oci/verified-files.ts';

const D = `sha256:${'a'.repeat(64)}`;
const NOW = 1_800_000_000_000;
const stats = (over: Partial<Record<'ino' | 'size' | 'mtimeNs' | 'ctimeNs', bigint>> = {}, ctimeMs = NOW - 60_000) =>
  ({
    dev: 1n,
    ino: 2n,
    size: 3n,
    mtimeNs: 4n,
    ctimeNs: BigInt(ctimeMs) * 1_000_000n,
    ctimeMs: BigInt(ctimeMs),
    ...over,
  }) as unknown as BigIntStats;

test('a file hashed intact is known while device, inode, size, mtime and ctime are as they were', () => {
  rememberIntact('/x/blob', stats(), D, NOW);
  assert.equal(knownIntact('/x/blob', stats(), D), true);
  assert.equal(knownIntact('/x/blob', stats(), `sha256:${'b'.repeat(64)}`), false, 'another digest');
  assert.equal(knownIntact('/x/other', stats(), D), false, 'another path');
  for (const changed of [{ ino: 9n }, { size: 9n }, { mtimeNs: 9n }, { ctimeNs: 9n }]) {
    assert.equal(knownIntact('/x/blob', stats(changed), D), false, JSON.stringify(Object.keys(changed)));
  }
  forgetIntact('/x/blob');
  assert.equal(knownIntact('/x/blob', stats(), D), false, 'forgotten');
});

test('a file changed shortly before it was hashed is not remembered (its times may not show a later change)', () => {
  rememberIntact('/x/racy', stats({}, NOW - 100), D, NOW);
  assert.equal(knownIntact('/x/racy', stats({}, NOW - 100), D), false);
});
