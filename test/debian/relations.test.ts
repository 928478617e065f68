import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { parseDependencies } from '../../src/debian/index.ts';
import { archMatches, formatDependencyGroup, parseProvides, parseRelationList } from '../../src/debian/relations.ts';

const isInvalid = (e: unknown) => isIroncladError(e, 'INVALID_INPUT');
/** Renders parsed groups back to text, so the table stays readable. */
const show = (field: string, architecture?: string) =>
  parseDependencies(field, architecture === undefined ? {} : { architecture }).map(formatDependencyGroup);

describe('parseDependencies', () => {
  const CASES: [string, string | undefined, string[]][] = [
    ['', undefined, []],
    ['  ', undefined, []],
    ['libc6 (>= 2.34)', undefined, ['libc6 (>= 2.34)']],
    ['libc6(>=2.34),zlib1g', undefined, ['libc6 (>= 2.34)', 'zlib1g']],
    ['a | b (<< 2) | c:any', undefined, ['a | b (<< 2) | c:any']],
    ['perl:any, python3:native, libfoo:arm64', undefined, ['perl:any', 'python3:native', 'libfoo:arm64']],
    [
      'a (<< 1), b (<= 1), c (= 1), d (>= 1), e (>> 1)',
      undefined,
      ['a (<< 1)', 'b (<= 1)', 'c (= 1)', 'd (>= 1)', 'e (>> 1)'],
    ],
    // Obsolete forms, read as dpkg reads them.
    ['a (< 1), b (> 1)', undefined, ['a (<= 1)', 'b (>= 1)']],
    ['a (  >=   1:2.0-1  )', undefined, ['a (>= 1:2.0-1)']],
    // Continuation lines of a folded field.
    ['a,\n b (>= 1)\n | c', undefined, ['a', 'b (>= 1) | c']],
    // Architecture restrictions, evaluated for the target architecture.
    ['a [amd64], b [!amd64], c [arm64 amd64]', 'amd64', ['a', 'c']],
    ['a [amd64], b [!amd64], c [arm64 amd64]', 'arm64', ['b', 'c']],
    ['a [linux-any], b [any-arm], c [!any-amd64]', 'armhf', ['a', 'b', 'c']],
    ['x [amd64] | y', 'arm64', ['y']],
    // Not evaluated without a target architecture.
    ['a [amd64], b [!amd64]', undefined, ['a', 'b']],
    // Build profiles are ignored.
    ['a <!nocheck>, b (>= 1) [amd64] <!cross> <stage1 nodoc>', 'amd64', ['a', 'b (>= 1)']],
    // Stray and trailing commas are tolerated.
    ['a,, b,', undefined, ['a', 'b']],
    ['g++ (>= 4), libstdc++6', undefined, ['g++ (>= 4)', 'libstdc++6']],
  ];
  for (const [field, arch, want] of CASES) {
    test(`${JSON.stringify(field)}${arch ? ` for ${arch}` : ''}`, () => assert.deepEqual(show(field, arch), want));
  }

  test('produces the Relation shape without absent keys', () => {
    assert.deepEqual(parseDependencies('a:any (>= 1) | b'), [
      [{ name: 'a', archQualifier: 'any', op: '>=', version: '1' }, { name: 'b' }],
    ]);
  });

  const MALFORMED = [
    'a |',
    '| a',
    'a | | b',
    'A',
    'a (>= )',
    'a (>= 1',
    'a (=> 1)',
    'a (~ 1)',
    'a (>= not-a-version)',
    'a b',
    'a [amd64',
    'a [amd64 !arm64]',
    'a []',
    'a:',
    'a <nocheck',
  ];
  for (const field of MALFORMED) {
    test(`rejects ${JSON.stringify(field)}`, () =>
      assert.throws(() => parseDependencies(field, { architecture: 'amd64' }), isInvalid));
  }
});

describe('flat relation lists', () => {
  test('Provides allows only "=" versions', () => {
    assert.deepEqual(parseProvides('awk, libfoo-abi (= 2)'), [
      { name: 'awk' },
      { name: 'libfoo-abi', op: '=', version: '2' },
    ]);
    assert.throws(() => parseProvides('libfoo-abi (>= 2)'), isInvalid);
  });

  test('Conflicts and Breaks reject alternatives', () => {
    assert.deepEqual(parseRelationList('a (<< 2), b'), [{ name: 'a', op: '<<', version: '2' }, { name: 'b' }]);
    assert.throws(() => parseRelationList('a | b'), isInvalid);
  });
});

describe('archMatches', () => {
  const CASES: [string, string, boolean][] = [
    ['amd64', 'amd64', true],
    ['amd64', 'arm64', false],
    ['amd64', 'any', true],
    ['amd64', 'linux-any', true],
    ['amd64', 'any-amd64', true],
    ['arm64', 'any-amd64', false],
    ['armhf', 'any-arm', true],
    ['armel', 'linux-arm', true],
    ['hurd-amd64', 'linux-any', false],
    ['hurd-amd64', 'hurd-any', true],
    ['hurd-amd64', 'any-amd64', true],
  ];
  for (const [arch, pattern, want] of CASES) {
    test(`${arch} ${want ? 'matches' : 'does not match'} ${pattern}`, () =>
      assert.equal(archMatches(arch, pattern), want));
  }
});
