import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { buildUniverse, type Resolution, resolveClosure } from '../../src/debian/index.ts';
import type { PackageEntry } from '../../src/debian/types.ts';
import { pkg } from '../support/debian-entries.ts';

const SUITES = ['bookworm', 'bookworm-updates', 'bookworm-security'];
const universe = (entries: PackageEntry[], architecture = 'amd64') =>
  buildUniverse(entries, { architecture, suites: SUITES });
const names = (r: Resolution) => r.packages.map((p) => `${p.name}=${p.version}`);

interface Case {
  name: string;
  entries: PackageEntry[];
  packages: string[];
  exclude?: string[];
  arch?: string;
  want: string[];
  excluded?: string[];
}

const CASES: Case[] = [
  {
    name: 'follows Depends and Pre-Depends, ignores Recommends/Suggests, adds no Essential package',
    entries: [
      pkg('app', { depends: 'lib (>= 1)', preDepends: 'pre' }),
      pkg('lib', { v: '1.2' }),
      pkg('pre'),
      pkg('recommended'),
      pkg('base-files', { essential: true, priority: 'required' }),
    ],
    packages: ['app'],
    want: ['app=1.0', 'lib=1.2', 'pre=1.0'],
  },
  {
    name: 'alternatives: the first satisfiable one, in order',
    entries: [pkg('app', { depends: 'missing | b (>= 2) | c | d' }), pkg('b', { v: '1' }), pkg('c'), pkg('d')],
    packages: ['app'],
    want: ['app=1.0', 'c=1.0'],
  },
  {
    name: 'alternatives: prefers one already requested',
    entries: [pkg('app', { depends: 'mawk | gawk' }), pkg('mawk'), pkg('gawk')],
    packages: ['app', 'gawk'],
    want: ['app=1.0', 'gawk=1.0'],
  },
  {
    name: 'virtual package through Provides',
    entries: [
      pkg('app', { depends: 'awk' }),
      pkg('mawk', { provides: 'awk', priority: 'required' }),
      pkg('gawk', { provides: 'awk' }),
    ],
    packages: ['app'],
    want: ['app=1.0', 'mawk=1.0'],
  },
  {
    name: 'versioned Provides satisfies a versioned dependency; unversioned Provides does not',
    entries: [
      pkg('app', { depends: 'libfoo-abi (>= 2)' }),
      pkg('old', { provides: 'libfoo-abi' }),
      pkg('new', { provides: 'libfoo-abi (= 2.1)' }),
    ],
    packages: ['app'],
    want: ['app=1.0', 'new=1.0'],
  },
  {
    name: 'pins select an exact version, also for dependencies',
    entries: [
      pkg('app', { depends: 'lib (>= 1)' }),
      pkg('lib', { v: '1.0' }),
      pkg('lib', { v: '2.0', suite: 'bookworm-security' }),
    ],
    packages: ['app', 'lib=1.0'],
    want: ['app=1.0', 'lib=1.0'],
  },
  {
    name: 'highest version across suites wins (security/updates when newer)',
    entries: [
      pkg('app', { depends: 'libssl3' }),
      pkg('libssl3', { v: '3.0.11-1~deb12u2' }),
      pkg('libssl3', { v: '3.0.15-1~deb12u1', suite: 'bookworm-security' }),
      pkg('libssl3', { v: '3.0.13-1~deb12u1', suite: 'bookworm-updates' }),
    ],
    packages: ['app'],
    want: ['app=1.0', 'libssl3=3.0.15-1~deb12u1'],
  },
  {
    name: 'a versioned dependency picks the highest version that satisfies it',
    entries: [
      pkg('app', { depends: 'lib (<< 2)' }),
      pkg('lib', { v: '1.5' }),
      pkg('lib', { v: '2.0', suite: 'bookworm-updates' }),
    ],
    packages: ['app'],
    want: ['app=1.0', 'lib=1.5'],
  },
  {
    name: 'excluded names are never pulled; the group counts as satisfied',
    entries: [
      pkg('app', { depends: 'debconf (>= 0.5) | debconf-2.0, lib' }),
      pkg('debconf', { provides: 'debconf-2.0' }),
      pkg('lib', { depends: 'debconf' }),
    ],
    packages: ['app'],
    exclude: ['debconf'],
    want: ['app=1.0', 'lib=1.0'],
    excluded: ['debconf<-app', 'debconf<-lib'],
  },
  {
    name: 'an excluded alternative counts as satisfied in its place in the order',
    entries: [
      pkg('app', { depends: 'debconf | cdebconf, cdebconf | debconf' }),
      pkg('debconf', { provides: 'debconf-2.0' }),
      pkg('cdebconf', { provides: 'debconf-2.0' }),
    ],
    packages: ['app'],
    exclude: ['debconf'],
    want: ['app=1.0', 'cdebconf=1.0'],
    excluded: ['debconf<-app'],
  },
  {
    name: 'a virtual name that an excluded package provides pulls in no other provider',
    entries: [
      pkg('app', { depends: 'debconf-2.0' }),
      pkg('debconf', { provides: 'debconf-2.0' }),
      pkg('cdebconf', { provides: 'debconf-2.0' }),
    ],
    packages: ['app'],
    exclude: ['debconf'],
    want: ['app=1.0'],
    excluded: ['debconf<-app'],
  },
  {
    name: 'an already selected alternative wins over an excluded one',
    entries: [pkg('app', { depends: 'debconf | cdebconf' }), pkg('debconf'), pkg('cdebconf')],
    packages: ['app', 'cdebconf'],
    exclude: ['debconf'],
    want: ['app=1.0', 'cdebconf=1.0'],
  },
  {
    name: 'an excluded name absent from the archive still satisfies its group',
    entries: [pkg('app', { depends: 'ghost' })],
    packages: ['app'],
    exclude: ['ghost'],
    want: ['app=1.0'],
    excluded: ['ghost<-app'],
  },
  {
    name: 'candidates that conflict with the selection are skipped',
    entries: [
      pkg('app', { depends: 'pipewire-alsa, sound-server' }),
      pkg('pipewire-alsa', { conflicts: 'pulseaudio' }),
      pkg('pulseaudio', { provides: 'sound-server', priority: 'standard' }),
      pkg('pipewire-pulse', { provides: 'sound-server' }),
    ],
    packages: ['app'],
    want: ['app=1.0', 'pipewire-alsa=1.0', 'pipewire-pulse=1.0'],
  },
  {
    name: 'a lower version is taken when the highest is broken by the selection',
    entries: [
      pkg('app', { depends: 'a, lib' }),
      pkg('a', { breaks: 'lib (>= 2)' }),
      pkg('lib', { v: '1' }),
      pkg('lib', { v: '2' }),
    ],
    packages: ['app'],
    want: ['a=1.0', 'app=1.0', 'lib=1'],
  },
  {
    name: 'cycles resolve',
    entries: [pkg('a', { depends: 'b' }), pkg('b', { depends: 'c' }), pkg('c', { preDepends: 'a' })],
    packages: ['a'],
    want: ['a=1.0', 'b=1.0', 'c=1.0'],
  },
  {
    name: ':any is satisfied by Multi-Arch: allowed packages',
    entries: [pkg('app', { depends: 'python3:any' }), pkg('python3', { multiArch: 'allowed' })],
    packages: ['app'],
    want: ['app=1.0', 'python3=1.0'],
  },
  {
    name: ':any skips a candidate that is not Multi-Arch: allowed and falls back to the next alternative',
    entries: [pkg('app', { depends: 'perl:any | perl-base' }), pkg('perl'), pkg('perl-base')],
    packages: ['app'],
    want: ['app=1.0', 'perl-base=1.0'],
  },
  {
    name: 'Multi-Arch: foreign satisfies a dependency on another architecture',
    entries: [pkg('app', { depends: 'tool:i386' }), pkg('tool', { multiArch: 'foreign' })],
    packages: ['app'],
    want: ['app=1.0', 'tool=1.0'],
  },
  {
    name: 'architecture all and the target architecture are candidates; others are not',
    entries: [
      pkg('app', { depends: 'data, lib', arch: 'arm64' }),
      pkg('data', { arch: 'all' }),
      pkg('lib', { arch: 'amd64', v: '9' }),
      pkg('lib', { arch: 'arm64' }),
    ],
    packages: ['app'],
    arch: 'arm64',
    want: ['app=1.0', 'data=1.0', 'lib=1.0'],
  },
  {
    name: 'a requested virtual name with one provider selects it',
    entries: [pkg('mawk', { provides: 'awk' })],
    packages: ['awk'],
    want: ['mawk=1.0'],
  },
  {
    name: 'a package may conflict with a virtual name it provides itself',
    entries: [pkg('mawk', { provides: 'awk', conflicts: 'awk' })],
    packages: ['mawk'],
    want: ['mawk=1.0'],
  },
];

describe('resolveClosure', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const u = universe(c.entries, c.arch);
      const r = resolveClosure(
        c.exclude === undefined ? { packages: c.packages } : { packages: c.packages, exclude: c.exclude },
        u,
      );
      assert.deepEqual(names(r), c.want);
      assert.deepEqual(
        r.excluded.map((x) => `${x.name}<-${x.from}`),
        c.excluded ?? [],
      );
    });
  }

  test('is deterministic: the order of entries does not matter', () => {
    const entries = [
      pkg('app', { depends: 'awk, lib' }),
      pkg('mawk', { provides: 'awk' }),
      pkg('lib', { v: '1' }),
      pkg('lib', { v: '2', suite: 'bookworm-security' }),
    ];
    const a = resolveClosure({ packages: ['app'] }, universe(entries));
    const b = resolveClosure({ packages: ['app'] }, universe([...entries].reverse()));
    assert.deepEqual(names(a), names(b));
    assert.deepEqual([...a.reasons], [...b.reasons]);
  });

  test('records who depends on each package', () => {
    const u = universe([
      pkg('app', { depends: 'a, b' }),
      pkg('a', { depends: 'c' }),
      pkg('b', { depends: 'a, c | d' }),
      pkg('c'),
    ]);
    const r = resolveClosure({ packages: ['app'] }, u);
    assert.deepEqual(r.roots, ['app']);
    assert.deepEqual(r.reasons.get('c'), [
      { from: 'a', relation: 'c' },
      { from: 'b', relation: 'c | d' },
    ]);
    assert.equal(r.reasons.get('app'), undefined);
  });
});

describe('resolveClosure errors', () => {
  const code = (c: string) => (e: unknown) => isIroncladError(e) && e.code === c;

  test('an unsatisfiable dependency names the whole chain, the architecture and the suites', () => {
    const u = universe(
      [
        pkg('python3.11', { depends: 'python3.11-minimal', arch: 'arm64' }),
        pkg('python3.11-minimal', { depends: 'libpython3.11-minimal (= 3.11.2-6+deb12u8)', arch: 'arm64' }),
        pkg('libpython3.11-minimal', { v: '3.11.2-6+deb12u6', arch: 'arm64' }),
      ],
      'arm64',
    );
    assert.throws(
      () => resolveClosure({ packages: ['python3.11'] }, u),
      (e) => {
        assert.ok(isIroncladError(e, 'UNSATISFIABLE'));
        assert.equal(
          e.message,
          'python3.11 → python3.11-minimal → libpython3.11-minimal (= 3.11.2-6+deb12u8): no candidate for arm64 in bookworm, bookworm-updates, bookworm-security',
        );
        assert.match(e.hint ?? '', /3\.11\.2-6\+deb12u6 \(bookworm\)/);
        return true;
      },
    );
  });

  test('a dependency on an already selected name at another version is unsatisfiable', () => {
    const u = universe([pkg('app', { depends: 'lib (>= 2)' }), pkg('lib', { v: '1' }), pkg('lib', { v: '2' })]);
    assert.throws(() => resolveClosure({ packages: ['app', 'lib=1'] }, u), code('UNSATISFIABLE'));
  });

  test('an unknown requested name suggests close names', () => {
    const u = universe([pkg('python3.11'), pkg('python3.11-minimal'), pkg('libpython3.11-stdlib'), pkg('zlib1g')]);
    assert.throws(
      () => resolveClosure({ packages: ['python3.1'] }, u),
      (e) => {
        assert.ok(isIroncladError(e, 'PACKAGE_UNKNOWN'));
        assert.match(e.hint ?? '', /python3\.11/);
        assert.doesNotMatch(e.hint ?? '', /zlib1g/);
        return true;
      },
    );
    assert.throws(
      () => resolveClosure({ packages: ['zlib1'] }, u),
      (e) => isIroncladError(e, 'PACKAGE_UNKNOWN') && /zlib1g/.test(e.hint ?? ''),
    );
  });

  test('a pin to a missing version is unsatisfiable and lists the available versions', () => {
    const u = universe([pkg('lib', { v: '1.0' }), pkg('lib', { v: '1.1', suite: 'bookworm-security' })]);
    assert.throws(
      () => resolveClosure({ packages: ['lib=2.0'] }, u),
      (e) => isIroncladError(e, 'UNSATISFIABLE') && /1\.1 \(bookworm-security\), 1\.0 \(bookworm\)/.test(e.hint ?? ''),
    );
  });

  test('requesting an excluded name, or two pins of one name, is a conflict', () => {
    const u = universe([pkg('lib', { v: '1.0' }), pkg('lib', { v: '1.1' })]);
    assert.throws(() => resolveClosure({ packages: ['lib'], exclude: ['lib'] }, u), code('CONFLICT'));
    assert.throws(() => resolveClosure({ packages: ['lib=1.0', 'lib=1.1'] }, u), code('CONFLICT'));
  });

  test('selected packages that conflict or break each other are reported', () => {
    const conflicts = universe([pkg('a', { conflicts: 'b' }), pkg('b')]);
    assert.throws(() => resolveClosure({ packages: ['a', 'b'] }, conflicts), code('CONFLICT'));
    const breaks = universe([pkg('a', { breaks: 'b (<< 2)' }), pkg('b', { v: '1' })]);
    assert.throws(() => resolveClosure({ packages: ['b', 'a'] }, breaks), code('CONFLICT'));
    assert.throws(() => resolveClosure({ packages: ['a', 'b'] }, breaks), code('CONFLICT'));
    const fine = universe([pkg('a', { breaks: 'b (<< 2)' }), pkg('b', { v: '2' })]);
    assert.equal(resolveClosure({ packages: ['a', 'b'] }, fine).packages.length, 2);
  });

  test('a virtual request with several providers must be made explicit', () => {
    const u = universe([pkg('mawk', { provides: 'awk' }), pkg('gawk', { provides: 'awk' })]);
    assert.throws(
      () => resolveClosure({ packages: ['awk'] }, u),
      (e) => isIroncladError(e, 'UNSATISFIABLE') && /gawk, mawk/.test(e.hint ?? ''),
    );
    assert.deepEqual(names(resolveClosure({ packages: ['awk', 'gawk'] }, u)), ['gawk=1.0']);
  });

  test('a dependency whose only candidates conflict with the selection is unsatisfiable', () => {
    const u = universe([pkg('app', { depends: 'x, y' }), pkg('x', { conflicts: 'y' }), pkg('y')]);
    assert.throws(
      () => resolveClosure({ packages: ['app'] }, u),
      (e) => isIroncladError(e, 'UNSATISFIABLE') && /x 1\.0 conflicts with y 1\.0/.test(e.hint ?? ''),
    );
  });

  test('a malformed request is a usage error', () => {
    assert.throws(() => resolveClosure({ packages: ['Bad Name'] }, universe([pkg('a')])), code('USAGE'));
  });
});
