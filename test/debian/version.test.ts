import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { compareVersions, isValidVersion } from '../../src/debian/index.ts';
import type { RelationOp } from '../../src/debian/types.ts';
import { formatVersion, parseVersion, satisfies } from '../../src/debian/version.ts';

// [a, b, expected sign of compareVersions(a, b)] — each checked both ways round.
const ORDER: [string, string, number][] = [
  ['1.0', '1.0', 0],
  ['1.0', '1.00', 0], // digit runs compare numerically
  ['1.0', '1.0-0', 0], // an absent revision equals revision "0"
  ['0:1.0', '1.0', 0], // an absent epoch is 0
  ['1.0', '1.1', -1],
  ['1.9', '1.10', -1],
  ['1.0010', '1.9', 1],
  ['1:0.1', '2.0', 1], // epoch dominates
  ['2:1', '10:0', -1], // epochs compare numerically
  ['1.0~rc1', '1.0', -1], // tilde sorts before the end of the part
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0~~', '1.0~', -1],
  ['1.0~', '1.0~a', -1],
  ['1.0~rc1-1', '1.0-1', -1],
  ['1.0', '1.0a', -1], // end of part sorts before a letter
  ['1.0a', '1.0+', -1], // letters sort before non-letters
  ['1.0+', '1.0.', -1], // non-letters by ASCII ('+' 0x2b < '.' 0x2e)
  ['1.0a', '1.0b', -1],
  ['1.0Z', '1.0a', -1], // ASCII: upper case before lower case
  ['1.2.3-1', '1.2.3-1+deb12u1', -1],
  ['1.2.3-1+deb12u1', '1.2.3-1+deb12u2', -1],
  ['1.2.3-1+deb12u9', '1.2.3-1+deb12u10', -1],
  ['3.11.2-6', '3.11.2-6+deb12u8', -1],
  ['2.36-9+deb12u4', '2.36-9+deb12u10', -1],
  ['1.0-1~bpo12+1', '1.0-1', -1],
  ['1.0-1', '1.0-1.1', -1],
  ['1-2-3', '1-2', 1], // the revision is after the last hyphen: upstream "1-2" > "1"
  ['1:1.0-1', '1:1.0-1', 0],
  ['0.0.0', '0', 1],
  ['00000000000000000000000000000000001', '1', 0], // long digit runs do not overflow
  ['99999999999999999999999999999999999', '100000000000000000000000000000000000', -1],
  ['1.0+dfsg', '1.0', 1],
  ['1.0+dfsg-1', '1.0-1', 1],
  ['7.88.1-10+deb12u5', '7.88.1-10+deb12u12', -1],
  ['2:8.2.3995-1ubuntu2', '2:8.2.3995-1ubuntu2.1', -1],
  ['1:2.3.4', '1:2.3.4~', 1],
  ['1a', '1+', -1],
  ['1~', '1', -1],
  ['1', '1a', -1],
];

describe('compareVersions', () => {
  for (const [a, b, want] of ORDER) {
    test(`${a} vs ${b}`, () => {
      assert.equal(compareVersions(a, b), want);
      assert.equal(compareVersions(b, a), want === 0 ? 0 : -want);
    });
  }

  test('sorting a shuffled list gives the dpkg order', () => {
    const sorted = ['1.0~~', '1.0~', '1.0~a', '1.0', '1.0a', '1.0+', '1.0.1', '1.1', '1:0.1'];
    const shuffled = [...sorted].reverse();
    shuffled.sort(compareVersions);
    assert.deepEqual(shuffled, sorted);
  });
});

describe('parseVersion', () => {
  const VALID: [string, number, string, string][] = [
    ['1.0', 0, '1.0', ''],
    ['1:2.3-4', 1, '2.3', '4'],
    ['1:2:3-4', 1, '2:3', '4'], // colons are allowed in upstream when there is an epoch
    ['2.36-9+deb12u4', 0, '2.36', '9+deb12u4'],
    ['1.2-3-4', 0, '1.2-3', '4'],
    ['  1.0  ', 0, '1.0', ''], // dpkg ignores surrounding blanks
    ['0', 0, '0', ''],
    ['1.0~rc1+dfsg-1~bpo12+1', 0, '1.0~rc1+dfsg', '1~bpo12+1'],
  ];
  for (const [text, epoch, upstream, revision] of VALID) {
    test(`parses ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseVersion(text), { epoch, upstream, revision });
      assert.equal(isValidVersion(text), true);
    });
  }

  const INVALID = [
    '',
    '   ',
    'a1.0', // upstream must start with a digit
    '1.0 2', // embedded blank
    'x:1.0', // epoch not a number
    '-1:1.0',
    ':1.0',
    '1:', // nothing after the epoch
    '1.0-', // empty revision
    '-1', // empty upstream
    '1.0_1', // invalid character
    '1.0-a:b', // colon in revision
    '1.0:2', // colon without epoch: "1.0" is not an epoch
    '1.0-1_2',
    '99999999999:1.0', // epoch too big for dpkg
    `1.${'0'.repeat(300)}`, // longer than the limit
    '1.0-ä',
  ];
  for (const text of INVALID) {
    test(`rejects ${JSON.stringify(text.slice(0, 20))} with INVALID_INPUT`, () => {
      assert.throws(
        () => parseVersion(text),
        (e) => isIroncladError(e, 'INVALID_INPUT'),
      );
      assert.throws(
        () => compareVersions(text, '1.0'),
        (e) => isIroncladError(e, 'INVALID_INPUT'),
      );
      assert.throws(
        () => compareVersions('1.0', text),
        (e) => isIroncladError(e, 'INVALID_INPUT'),
      );
      assert.equal(isValidVersion(text), false);
    });
  }

  test('formatVersion round-trips and drops a zero epoch', () => {
    assert.equal(formatVersion(parseVersion('1:2.3-4')), '1:2.3-4');
    assert.equal(formatVersion(parseVersion('0:2.3')), '2.3');
  });
});

describe('satisfies', () => {
  const CASES: [string, RelationOp, string, boolean][] = [
    ['1.0', '<<', '1.1', true],
    ['1.1', '<<', '1.1', false],
    ['1.1', '<=', '1.1', true],
    ['1.2', '<=', '1.1', false],
    ['1.1', '=', '1.1', true],
    ['1.1', '=', '1.10', false],
    ['1.01', '=', '1.1', true],
    ['1.1', '>=', '1.1', true],
    ['1.0', '>=', '1.1', false],
    ['1.2', '>>', '1.1', true],
    ['1.1', '>>', '1.1', false],
    ['2.36-9+deb12u4', '>=', '2.34', true],
    ['1.0~rc1', '>=', '1.0', false],
  ];
  for (const [v, op, target, want] of CASES) {
    test(`${v} ${op} ${target} is ${want}`, () => assert.equal(satisfies(v, op, target), want));
  }
});
