import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIroncladError } from '../../../src/core/index.ts';
import { assemble } from '../../../src/image/assemble.ts';
import {
  APT_ACCOUNT,
  aptNodes,
  archiveKeyring,
  DEBIAN_SOURCES,
  debianSourcesText,
} from '../../../src/image/synthesize/apt-sources.ts';
import { lockDirNodes } from '../../../src/image/synthesize/lock-dir.ts';
import { shellsText } from '../../../src/image/synthesize/shells.ts';
import { pkg } from '../in-memory-deb.ts';

const EPOCH = 1_700_000_000;
const REPOS = [
  { url: 'https://deb.debian.org/debian', suites: ['bookworm', 'bookworm-updates'], components: ['main'] },
  { url: 'https://deb.debian.org/debian-security', suites: ['bookworm-security'], components: ['main'] },
];
const tree = (...p: Parameters<typeof pkg>[]) =>
  assemble(
    p.map((args) => pkg(...args)),
    { stripSetuid: true, epoch: EPOCH },
  );

test('deb822 sources: one paragraph per repository, Signed-By only when a keyring is known', () => {
  const table: [string | undefined, string][] = [
    [
      '/usr/share/keyrings/debian-archive-keyring.gpg',
      'Types: deb\nURIs: https://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n' +
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n' +
        'Types: deb\nURIs: https://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\n' +
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n',
    ],
    [
      undefined,
      'Types: deb\nURIs: https://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n' +
        'Types: deb\nURIs: https://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\n',
    ],
  ];
  for (const [keyring, expected] of table) assert.equal(debianSourcesText(REPOS, keyring), expected);
});

test('deb822 sources reject values that would break the format', () => {
  const bad = [
    [{ url: 'https://x/ y', suites: ['s'], components: ['main'] }],
    [{ url: 'https://x', suites: [], components: ['main'] }],
    [{ url: 'https://x', suites: ['s\nTypes: deb-src'], components: ['main'] }],
    [{ url: 'https://x', suites: ['s'], components: ['main # c'] }],
  ];
  for (const repos of bad) {
    assert.throws(
      () => debianSourcesText(repos),
      (e) => isIroncladError(e, 'INVALID_INPUT'),
    );
  }
});

test('the archive keyring is the package file, newest layout first, only when the package is installed', () => {
  const gpg = 'usr/share/keyrings/debian-archive-keyring.gpg';
  const pgp = 'usr/share/keyrings/debian-archive-keyring.pgp';
  const table: [Parameters<typeof pkg>[], string | undefined][] = [
    [[['debian-archive-keyring', [{ file: gpg }]]], `/${gpg}`],
    [[['debian-archive-keyring', [{ file: gpg }, { file: pgp }]]], `/${pgp}`],
    [[['other', [{ file: gpg }]]], undefined],
    [[['debian-archive-keyring', []]], undefined],
  ];
  for (const [pkgs, expected] of table) assert.equal(archiveKeyring(tree(...pkgs)), expected);
});

test('apt nodes: sources and partial directories owned by _apt, only with apt', () => {
  const withApt = aptNodes(tree(['apt', [{ file: 'usr/bin/apt-get' }]]), REPOS, EPOCH);
  assert.deepEqual(
    withApt.map((n) => [n.path, n.type, n.mode, n.uid]),
    [
      [DEBIAN_SOURCES, 'file', 0o644, 0],
      ['var/cache/apt/archives/partial', 'dir', 0o700, APT_ACCOUNT.uid],
      ['var/lib/apt/lists/partial', 'dir', 0o700, APT_ACCOUNT.uid],
    ],
  );
  assert.deepEqual(aptNodes(tree(['bash', [{ file: 'usr/bin/bash' }]]), REPOS, EPOCH), []);
  assert.deepEqual(aptNodes(tree(['apt', [{ file: 'usr/bin/apt-get' }]]), [], EPOCH), []);
});

test('/etc/shells lists the shells present, under /bin and /usr/bin', () => {
  const table: [Parameters<typeof pkg>[], string | undefined][] = [
    [[['coreutils', [{ file: 'usr/bin/ls' }]]], undefined],
    [
      [
        ['bash', [{ file: 'bin/bash' }]],
        ['dash', [{ file: 'usr/bin/dash' }, { link: 'usr/bin/sh', to: 'dash' }]],
      ],
      '# /etc/shells: valid login shells\n/bin/sh\n/usr/bin/sh\n/bin/bash\n/usr/bin/bash\n/bin/dash\n/usr/bin/dash\n',
    ],
  ];
  for (const [pkgs, expected] of table) assert.equal(shellsText(tree(...pkgs)), expected);
});

test('world-writable lock directories become root-only; others are left alone', () => {
  const t = tree([
    'base-files',
    [
      { dir: 'var/lock', mode: 0o1777 },
      { dir: 'var/tmp', mode: 0o1777 },
    ],
  ]);
  assert.deepEqual(
    lockDirNodes(t, EPOCH).map((n) => [n.path, n.mode]),
    [['var/lock', 0o755]],
  );
  assert.deepEqual(lockDirNodes(tree(['x', [{ dir: 'var/lock', mode: 0o755 }]]), EPOCH), []);
});
