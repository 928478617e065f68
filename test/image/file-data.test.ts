import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { contentDigests } from '../../src/image/content-digests.ts';
import {
  copyNode,
  dataDigests,
  dataLength,
  type LazyBytes,
  sameData,
  withDataOf,
  withLazyData,
} from '../../src/image/file-data.ts';

function counted(text: string): LazyBytes & { reads: number } {
  const bytes = Buffer.from(text);
  const source = {
    reads: 0,
    length: bytes.length,
    digests: contentDigests(Buffer.from(text)),
    bytes() {
      source.reads++;
      return bytes;
    },
  };
  return source;
}

test('lazy data is read only when the bytes are asked for', () => {
  const source = counted('hello\n');
  const node = withLazyData({ path: 'usr/bin/hello', mode: 0o755, owners: ['hello'] }, source);
  const copied = copyNode(node, { owners: [] });
  const entry = withDataOf({ path: 'usr/bin/hello', type: 'file' as const }, copied);
  assert.equal(dataLength(entry), 6);
  assert.equal(dataDigests(entry).sha256, createHash('sha256').update('hello\n').digest('hex'));
  assert.deepEqual(copied.owners, []);
  assert.deepEqual(node.owners, ['hello']);
  assert.equal(source.reads, 0);
  assert.equal(Buffer.from(entry.data).toString(), 'hello\n');
  assert.equal(source.reads, 1);
  // A spread reads them (slower, never wrong): the data is an own enumerable property.
  const spread = { ...node };
  assert.equal(Buffer.from(spread.data).toString(), 'hello\n');
  assert.ok(Object.keys(node).includes('data'));
});

test('plain data passes through unchanged', () => {
  const data = Buffer.from('x');
  const entry = withDataOf({ path: 'a' }, { data });
  assert.equal(entry.data, data);
  const copied = copyNode({ path: 'a', data, owners: ['p'] }, { owners: [] });
  assert.equal(copied.data, data);
  assert.equal(dataLength(copied), 1);
});

test('sameData compares unread files by their digests, read ones by their bytes', () => {
  const a = withLazyData({}, counted('same'));
  const b = withLazyData({}, counted('same'));
  const c = withLazyData({}, counted('other'));
  assert.ok(sameData(a, b));
  assert.ok(!sameData(a, c));
  assert.ok(sameData(a, { data: Buffer.from('same') }));
  assert.ok(sameData({ data: Buffer.from('x') }, { data: new Uint8Array([0x78]) }));
  assert.ok(!sameData({ data: Buffer.from('x') }, { data: Buffer.from('y') }));
});
