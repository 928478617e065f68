import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { assemble } from '../../src/image/assemble.ts';
import { resolveLinkTarget, withSynthesized } from '../../src/image/file-tree.ts';
import { pkg } from './in-memory-deb.ts';

test('resolveLinkTarget: table', () => {
  const rows: [string, string, string | undefined][] = [
    ['usr/bin/sh', 'dash', 'usr/bin/dash'],
    ['usr/bin/sh', '/bin/dash', 'bin/dash'],
    ['etc/os-release', '../usr/lib/os-release', 'usr/lib/os-release'],
    ['usr/lib/x/y', '../../../etc/y', 'etc/y'],
    ['usr/lib/x/y', '../../../../etc/y', undefined],
    ['x', '..', undefined],
    ['x', '/', ''],
    ['x', '/../..', ''],
    ['a/b', './c/./d', 'a/c/d'],
  ];
  for (const [link, target, want] of rows) assert.equal(resolveLinkTarget(link, target), want, `${link} -> ${target}`);
});

test('withSynthesized replaces package files but never a directory with a file', () => {
  const tree = assemble([pkg('p', [{ file: 'etc/x', content: 'old' }, { dir: 'etc/d' }])], {
    stripSetuid: true,
    epoch: 5,
  });
  const file = {
    type: 'file' as const,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: 5,
    owners: ['ignored'],
    data: Buffer.from('new'),
  };
  const out = withSynthesized(
    tree,
    [
      { ...file, path: 'etc/x' },
      { ...file, path: 'new/dir/f' },
    ],
    5,
  );
  const x = out.nodes.get('etc/x');
  assert.ok(x?.type === 'file');
  assert.equal(Buffer.from(x.data).toString(), 'new');
  assert.deepEqual(x.owners, []);
  assert.equal(out.nodes.get('new/dir')?.type, 'dir');
  const before = tree.nodes.get('etc/x');
  assert.ok(before?.type === 'file');
  assert.equal(Buffer.from(before.data).toString(), 'old', 'the input tree is unchanged');
  assert.throws(
    () => withSynthesized(tree, [{ ...file, path: 'etc/d' }], 5),
    (err) => isIroncladError(err, 'CONFLICT'),
  );
});
