import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import type { ArchiveSuite } from '../../src/debian/archive-client.ts';
import { type Archive, archiveUniverse, buildUniverse, forgetParsedArchives } from '../../src/debian/index.ts';
import { parseProvides } from '../../src/debian/relations.ts';
import type { PackageEntry, Relation } from '../../src/debian/types.ts';
import { archSatisfies, provideSatisfies } from '../../src/debian/universe.ts';

function pkg(name: string, version: string, suite: string, extra: Partial<PackageEntry> = {}): PackageEntry {
  return {
    name,
    version,
    architecture: 'amd64',
    source: name,
    sourceVersion: version,
    filename: `pool/${name}_${version}.deb`,
    size: 1,
    sha256: '0'.repeat(64),
    multiArch: 'no',
    essential: false,
    priority: 'optional',
    section: '',
    installedSize: 0,
    maintainer: '',
    description: '',
    homepage: '',
    depends: [],
    preDepends: [],
    provides: [],
    conflicts: [],
    breaks: [],
    suite,
    component: 'main',
    baseUrl: 'https://deb.debian.org/debian',
    fields: new Map(),
    ...extra,
  };
}

describe('buildUniverse', () => {
  test('orders versions highest first, keeps one entry per version (earliest suite), filters architectures', () => {
    const u = buildUniverse(
      [
        pkg('a', '1.0', 'bookworm-security'),
        pkg('a', '1.1', 'bookworm-updates'),
        pkg('a', '1.0', 'bookworm'),
        pkg('a', '2.0', 'bookworm', { architecture: 'arm64' }),
        pkg('b', '1', 'bookworm', { architecture: 'all' }),
      ],
      { architecture: 'amd64', suites: ['bookworm', 'bookworm-updates', 'bookworm-security'] },
    );
    assert.deepEqual(
      u.packages.get('a')?.map((e) => `${e.version}@${e.suite}`),
      ['1.1@bookworm-updates', '1.0@bookworm'],
    );
    assert.equal(u.packages.get('b')?.[0]?.architecture, 'all');
    assert.deepEqual(u.suites, ['bookworm', 'bookworm-updates', 'bookworm-security']);
  });

  test('derives the suite order from the entries when not given', () => {
    const u = buildUniverse([pkg('a', '1', 'x'), pkg('b', '1', 'y'), pkg('c', '1', 'x')], { architecture: 'amd64' });
    assert.deepEqual(u.suites, ['x', 'y']);
  });

  test('indexes providers of virtual names with their provided versions', () => {
    const u = buildUniverse([pkg('mawk', '1', 's', { provides: parseProvides('awk, awk-abi (= 2)') })], {
      architecture: 'amd64',
    });
    assert.deepEqual(
      u.providers.get('awk')?.map((p) => p.entry.name),
      ['mawk'],
    );
    assert.equal(u.providers.get('awk-abi')?.[0]?.version, '2');
  });

  test('rejects "all" as a target architecture', () => {
    assert.throws(
      () => buildUniverse([], { architecture: 'all' }),
      (e) => isIroncladError(e, 'USAGE'),
    );
  });
});

describe('architecture and provide rules', () => {
  const allowed = pkg('python3', '3.11', 's', { multiArch: 'allowed' });
  const foreign = pkg('tool', '1', 's', { multiArch: 'foreign' });
  const plain = pkg('lib', '1', 's');
  const CASES: [PackageEntry, Relation, boolean][] = [
    [plain, { name: 'lib' }, true],
    [plain, { name: 'lib', archQualifier: 'native' }, true],
    [plain, { name: 'lib', archQualifier: 'any' }, false],
    [allowed, { name: 'python3', archQualifier: 'any' }, true],
    [foreign, { name: 'tool', archQualifier: 'any' }, false],
    [plain, { name: 'lib', archQualifier: 'amd64' }, true],
    [plain, { name: 'lib', archQualifier: 'i386' }, false],
    [foreign, { name: 'tool', archQualifier: 'i386' }, true],
  ];
  for (const [entry, rel, want] of CASES) {
    test(`${entry.name} (Multi-Arch: ${entry.multiArch}) ${want ? 'satisfies' : 'does not satisfy'} ${rel.name}:${rel.archQualifier ?? ''}`, () =>
      assert.equal(archSatisfies(entry, rel, 'amd64'), want));
  }

  test('unversioned provides satisfy only unversioned relations', () => {
    const entry = pkg('mawk', '1', 's');
    assert.equal(provideSatisfies({ entry }, { name: 'awk' }, 'amd64'), true);
    assert.equal(provideSatisfies({ entry }, { name: 'awk', op: '>=', version: '1' }, 'amd64'), false);
    assert.equal(provideSatisfies({ entry, version: '2' }, { name: 'awk', op: '>=', version: '1' }, 'amd64'), true);
    assert.equal(provideSatisfies({ entry, version: '0.5' }, { name: 'awk', op: '>=', version: '1' }, 'amd64'), false);
  });
});

describe('archiveUniverse', () => {
  const repos = [{ url: 'https://deb.debian.org/debian', components: ['main'] }];
  const archiveOf = (inRelease: string, packages: PackageEntry[]): Archive => ({
    distro: 'debian-13',
    architecture: 'amd64',
    suites: [
      {
        suite: 'trixie',
        baseUrl: 'https://deb.debian.org/debian',
        date: '',
        inReleaseSha256: inRelease,
        signers: [],
        release: {} as ArchiveSuite['release'],
      },
    ],
    packages,
  });

  test('one archive state gives one universe, the one buildUniverse builds; another state its own', () => {
    const v1 = [pkg('libc6', '2.41-12', 'trixie')];
    const first = archiveUniverse(archiveOf('a'.repeat(64), v1), repos);
    assert.deepEqual(first, buildUniverse(v1, { architecture: 'amd64', suites: ['trixie'] }));
    // The same verified state opened again (a new Archive object, the same indices) is not indexed again.
    assert.equal(archiveUniverse(archiveOf('a'.repeat(64), [...v1]), repos), first);
    // A new InRelease (the archive moved) is a new universe that has the new version.
    const v2 = [pkg('libc6', '2.41-12+deb13u1', 'trixie')];
    const moved = archiveUniverse(archiveOf('b'.repeat(64), v2), repos);
    assert.notEqual(moved, first);
    assert.deepEqual(
      moved.packages.get('libc6')?.map((e) => e.version),
      ['2.41-12+deb13u1'],
    );
    // Other components read are other indices.
    const contrib = [{ url: repos[0]!.url, components: ['main', 'contrib'] }];
    assert.notEqual(archiveUniverse(archiveOf('a'.repeat(64), v1), contrib), first);
  });

  test('only the most recently used universes are kept', () => {
    const state = (i: number) => archiveOf(String(i).repeat(64).slice(0, 64), [pkg('p', `${i}`, 'trixie')]);
    const first = archiveUniverse(state(1), repos);
    for (let i = 2; i <= 5; i++) archiveUniverse(state(i), repos);
    const again = archiveUniverse(state(1), repos);
    assert.notEqual(again, first);
    assert.deepEqual(again, first);
  });

  test('forgetParsedArchives lets the kept universes go; the next lock builds its universe again', () => {
    const v1 = [pkg('libc6', '2.41-12', 'trixie')];
    const kept = archiveUniverse(archiveOf('c'.repeat(64), v1), repos);
    assert.equal(archiveUniverse(archiveOf('c'.repeat(64), v1), repos), kept);
    forgetParsedArchives();
    const again = archiveUniverse(archiveOf('c'.repeat(64), v1), repos);
    assert.notEqual(again, kept);
    assert.deepEqual(again, kept);
  });
});
