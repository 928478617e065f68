import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { buildUniverse } from '../../src/debian/index.ts';
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
