import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareVersions } from '../../src/debian/index.ts';
import { evaluateRanges } from '../../src/vuln/ranges.ts';

type Ev = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };
const r = (...events: Ev[]) => [events];

test('OSV range evaluation with dpkg ordering', () => {
  const cases: [string, Ev[][], string[], boolean, string | null][] = [
    ['1.0-1', r({ introduced: '0' }, { fixed: '1.0-2' }), [], true, '1.0-2'],
    ['1.0-2', r({ introduced: '0' }, { fixed: '1.0-2' }), [], false, null],
    ['1.0-1+deb12u1', r({ introduced: '0' }, { fixed: '1.0-1+deb12u2' }), [], true, '1.0-1+deb12u2'],
    ['3.0.15-1~deb12u1', r({ introduced: '0' }, { fixed: '3.0.15-1' }), [], true, '3.0.15-1'],
    ['1:1.2.13.dfsg-1', r({ introduced: '0' }, { fixed: '1.3' }), [], false, null],
    ['2.0', r({ introduced: '0' }), [], true, null],
    ['0.9', r({ introduced: '1.0' }, { fixed: '2.0' }), [], false, null],
    ['1.5', r({ fixed: '2.0' }, { introduced: '1.0' }), [], true, '2.0'],
    ['1.5', r({ introduced: '0' }, { last_affected: '1.5' }), [], true, null],
    ['1.6', r({ introduced: '0' }, { last_affected: '1.5' }), [], false, null],
    ['3.0', r({ introduced: '1.0' }, { fixed: '2.0' }, { introduced: '2.5' }, { fixed: '3.1' }), [], true, '3.1'],
    ['2.2', r({ introduced: '1.0' }, { fixed: '2.0' }, { introduced: '2.5' }, { fixed: '3.1' }), [], false, null],
    ['1.0-3', [], ['1.0-3', '1.0-4'], true, null],
    ['1.0-5', [], ['1.0-3', '1.0-4'], false, null],
  ];
  for (const [version, ranges, versions, affected, fixed] of cases) {
    assert.deepEqual(evaluateRanges(version, ranges, versions, compareVersions), { affected, fixed }, version);
  }
});
