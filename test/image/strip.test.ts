import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStripped } from '../../src/image/strip.ts';

test('isStripped: table', () => {
  const rows: [string, 'file' | 'dir' | 'symlink', boolean][] = [
    ['usr/share/doc', 'dir', false],
    ['usr/share/doc/libc6', 'dir', false],
    ['usr/share/doc/libc6-dev', 'symlink', false],
    ['usr/share/doc/README', 'file', true],
    ['usr/share/doc/libc6/copyright', 'file', false],
    ['usr/share/doc/libc6/changelog.Debian.gz', 'file', true],
    ['usr/share/doc/libc6/examples/copyright', 'file', true],
    ['usr/share/man', 'dir', true],
    ['usr/share/man/man1/ls.1.gz', 'file', true],
    ['usr/share/manual', 'dir', false],
    ['usr/share/info/dir', 'file', true],
    ['usr/share/locale', 'dir', false],
    ['usr/share/locale/de/LC_MESSAGES/x.mo', 'file', true],
    ['usr/share/locale/C.UTF-8/LC_MESSAGES/x.mo', 'file', false],
    ['usr/share/locale/locale.alias', 'file', true],
    ['usr/lib/locale/C.utf8/LC_CTYPE', 'file', false],
    ['usr/lib/locale/C.utf8', 'dir', false],
    ['usr/lib/locale/en_US.utf8', 'dir', true],
    ['usr/share/lintian/overrides/x', 'file', true],
    ['usr/share/bug/x', 'dir', true],
    ['usr/share/doc-base/x', 'file', true],
    ['usr/share/gtk-doc/html', 'dir', true],
    ['usr/share/menu/x', 'file', true],
    ['usr/bin/man', 'file', false],
    ['etc/locale.gen', 'file', false],
  ];
  for (const [path, type, want] of rows) assert.equal(isStripped(path, type), want, path);
});
