import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergedUsrLinks } from '../../src/image/merged-usr.ts';

test('mergedUsrLinks: bin, sbin and lib always; lib32/lib64/libx32 only when a package uses them', () => {
  const rows: [string[], string[]][] = [
    [[], ['bin', 'lib', 'sbin']],
    [['lib64/ld-linux-x86-64.so.2'], ['bin', 'lib', 'lib64', 'sbin']],
    [['usr/lib64/ld-linux-x86-64.so.2'], ['bin', 'lib', 'lib64', 'sbin']],
    [
      ['usr/lib32', 'usr/libx32/x'],
      ['bin', 'lib', 'lib32', 'libx32', 'sbin'],
    ],
    [
      ['usr/lib64x/x', 'lib640'],
      ['bin', 'lib', 'sbin'],
    ],
  ];
  for (const [paths, want] of rows) {
    const links = mergedUsrLinks(paths, 7);
    assert.deepEqual(
      links.map((l) => l.path),
      want,
      paths.join(','),
    );
    for (const l of links) assert.ok(l.type === 'symlink' && l.target === `usr/${l.path}` && l.mtime === 7);
  }
});
