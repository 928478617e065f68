import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IndexMemo } from '../../src/debian/index-memo.ts';
import type { PackageEntry } from '../../src/debian/types.ts';

const entries = (n: number) => Array.from({ length: n }, () => ({}) as PackageEntry);

test('an index is read once per key; a failed read is not remembered', async () => {
  const memo = new IndexMemo(100);
  let reads = 0;
  const load = (n: number) => async () => {
    reads++;
    return entries(n);
  };
  const [a, b] = await Promise.all([memo.get('k', load(3)), memo.get('k', load(3))]);
  assert.equal(a, b);
  assert.equal(reads, 1);
  await assert.rejects(
    memo.get('bad', () => Promise.reject(new Error('digest mismatch'))),
    /digest mismatch/,
  );
  assert.equal((await memo.get('bad', load(1))).length, 1);
  assert.equal(reads, 2);
});

test('beyond its bound the least recently used indices are dropped', async () => {
  const memo = new IndexMemo(10);
  let reads = 0;
  const load = (n: number) => async () => {
    reads++;
    return entries(n);
  };
  await memo.get('a', load(4));
  await memo.get('b', load(4));
  await memo.get('a', load(4)); // a is now the most recently used
  await memo.get('c', load(4)); // 12 > 10: b goes
  assert.equal(reads, 3);
  await memo.get('a', load(4));
  assert.equal(reads, 3);
  await memo.get('b', load(4));
  assert.equal(reads, 4);
  assert.ok(memo.size <= 3);
});

test('clear lets every index go: the next get reads again', async () => {
  const memo = new IndexMemo(100);
  let reads = 0;
  const load = async () => {
    reads++;
    return entries(2);
  };
  await memo.get('k', load);
  memo.clear();
  assert.equal(memo.size, 0);
  await memo.get('k', load);
  assert.equal(reads, 2);
});
