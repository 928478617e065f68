import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectAttackSurface, diffAttackSurface, diffList, type SurfaceFs } from '../../src/compare/attack-surface.ts';
import type { AttackSurface } from '../../src/compare/types.ts';
import type { IroncladError } from '../../src/core/index.ts';
import { type FsEntry, ImageFilesystem, type ResolvedImage } from '../../src/oci/index.ts';

type Spec = [path: string, type: 'file' | 'dir' | 'symlink' | 'hardlink', mode: number, target?: string];

/** A flattened filesystem from metadata only; the surface never reads content, so no image is needed. */
function fsOf(specs: readonly Spec[]): SurfaceFs {
  const entries = new Map<string, FsEntry>();
  for (const [i, [path, type, mode, target]] of specs.entries()) {
    entries.set(path, {
      path,
      type,
      mode,
      uid: 0,
      gid: 0,
      size: 0,
      mtime: 0,
      layerIndex: 0,
      ordinal: i,
      ...(target !== undefined && { linkTarget: target }),
    });
  }
  return new ImageFilesystem({} as ResolvedImage, entries);
}

const MERGED_USR: Spec[] = [
  ['bin', 'symlink', 0o777, 'usr/bin'],
  ['usr', 'dir', 0o755],
  ['usr/bin', 'dir', 0o755],
];

const surfaceCases: {
  name: string;
  specs: Spec[];
  passwd?: string;
  check: (s: AttackSurface) => void;
}[] = [
  {
    name: 'an empty image has no surface',
    specs: [],
    check: (s) =>
      assert.deepEqual(s, {
        shells: [],
        packageManagers: [],
        setuidFiles: [],
        executables: 0,
        loginUsers: [],
        worldWritableDirs: [],
      }),
  },
  {
    name: 'shells through merged /usr and symlinks are found once, at the first bin directory',
    specs: [...MERGED_USR, ['usr/bin/dash', 'file', 0o755], ['usr/bin/sh', 'symlink', 0o777, 'dash']],
    check: (s) =>
      assert.deepEqual(s.shells, [
        { name: 'dash', path: '/bin/dash' },
        { name: 'sh', path: '/bin/sh' },
      ]),
  },
  {
    name: 'a dangling symlink is not a shell',
    specs: [...MERGED_USR, ['usr/bin/sh', 'symlink', 0o777, 'dash']],
    check: (s) => assert.deepEqual(s.shells, []),
  },
  {
    name: 'busybox and its applet links',
    specs: [
      ['bin', 'dir', 0o755],
      ['bin/busybox', 'file', 0o755],
      ['bin/sh', 'hardlink', 0o755, 'bin/busybox'],
    ],
    check: (s) =>
      assert.deepEqual(
        s.shells.map((x) => x.name),
        ['busybox', 'sh'],
      ),
  },
  {
    name: 'a directory named like a shell is not one',
    specs: [['usr/bin/bash', 'dir', 0o755]],
    check: (s) => assert.deepEqual(s.shells, []),
  },
  {
    name: 'package managers in sbin and /usr/local',
    specs: [
      ['sbin/apk', 'file', 0o755],
      ['usr/local/bin/dpkg', 'file', 0o755],
    ],
    check: (s) =>
      assert.deepEqual(s.packageManagers, [
        { name: 'apk', path: '/sbin/apk' },
        { name: 'dpkg', path: '/usr/local/bin/dpkg' },
      ]),
  },
  {
    name: 'setuid and setgid regular files, not directories',
    specs: [
      ['usr/bin/su', 'file', 0o4755],
      ['usr/bin/wall', 'file', 0o2755],
      ['usr/bin/both', 'file', 0o6755],
      ['var/mail', 'dir', 0o2775],
    ],
    check: (s) =>
      assert.deepEqual(s.setuidFiles, [
        { path: '/usr/bin/both', mode: '6755', setuid: true, setgid: true },
        { path: '/usr/bin/su', mode: '4755', setuid: true, setgid: false },
        { path: '/usr/bin/wall', mode: '2755', setuid: false, setgid: true },
      ]),
  },
  {
    name: 'executables are regular files with any x bit',
    specs: [
      ['a', 'file', 0o755],
      ['b', 'file', 0o644],
      ['c', 'file', 0o610],
      ['d', 'dir', 0o755],
      ['e', 'symlink', 0o777, 'a'],
      ['f', 'hardlink', 0o755, 'a'],
    ],
    check: (s) => assert.equal(s.executables, 3),
  },
  {
    name: 'world-writable directories, sticky marked',
    specs: [
      ['tmp', 'dir', 0o1777],
      ['srv', 'dir', 0o777],
      ['etc', 'dir', 0o755],
      ['file', 'file', 0o666],
    ],
    check: (s) =>
      assert.deepEqual(s.worldWritableDirs, [
        { path: '/srv', sticky: false },
        { path: '/tmp', sticky: true },
      ]),
  },
  {
    name: 'login users: an empty shell means /bin/sh; nologin, false and sync do not log in; NIS lines skipped',
    specs: [],
    passwd: [
      'root:x:0:0:root:/root:/bin/bash',
      'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
      'bin:x:2:2:bin:/bin:/bin/false',
      'sync:x:4:65534:sync:/bin:/bin/sync',
      'old:x:1000:1000::/home/old:',
      '+@netgroup::::::',
      '',
    ].join('\n'),
    check: (s) =>
      assert.deepEqual(s.loginUsers, [
        { name: 'old', uid: 1000, shell: '/bin/sh' },
        { name: 'root', uid: 0, shell: '/bin/bash' },
      ]),
  },
];

for (const c of surfaceCases) {
  test(`collectAttackSurface: ${c.name}`, () => c.check(collectAttackSurface(fsOf(c.specs), c.passwd)));
}

for (const bad of ['root:x:0:0:root:/root', 'root:x:zero:0:root:/root:/bin/sh', 'a:b:c:d:e:f:g:h']) {
  test(`a malformed passwd line is INVALID_INPUT: ${bad}`, () => {
    assert.throws(
      () => collectAttackSurface(fsOf([]), bad),
      (e: IroncladError) => e.code === 'INVALID_INPUT',
    );
  });
}

test('an oversized passwd is INVALID_INPUT', () => {
  assert.throws(
    () => collectAttackSurface(fsOf([]), 'x'.repeat(1024 * 1024 + 1)),
    (e: IroncladError) => e.code === 'INVALID_INPUT',
  );
});

test('diffList: by key, in input order', () => {
  const d = diffList(['a', 'b', 'c'], ['c', 'd'], (x) => x);
  assert.deepEqual(d, { added: ['a', 'b'], removed: ['d'] });
});

test('diffAttackSurface: a changed attribute shows as removed + added; executables as a difference', () => {
  const base = collectAttackSurface(
    fsOf([
      ['tmp', 'dir', 0o777],
      ['usr/bin/su', 'file', 0o4755],
      ['x', 'file', 0o755],
    ]),
    'root:x:0:0::/root:/bin/sh',
  );
  const next = collectAttackSurface(
    fsOf([
      ['tmp', 'dir', 0o1777],
      ['usr/bin/su', 'file', 0o4755],
    ]),
    'root:x:0:0::/root:/bin/bash',
  );
  const d = diffAttackSurface(next, base);
  assert.deepEqual(d.worldWritableDirs, {
    added: [{ path: '/tmp', sticky: true }],
    removed: [{ path: '/tmp', sticky: false }],
  });
  assert.deepEqual(d.setuidFiles, { added: [], removed: [] });
  assert.deepEqual(
    d.loginUsers.added.map((u) => u.shell),
    ['/bin/bash'],
  );
  assert.deepEqual(
    d.loginUsers.removed.map((u) => u.shell),
    ['/bin/sh'],
  );
  assert.equal(d.executables, -1);
});
