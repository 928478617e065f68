import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CompareResult, exitOnReasons, parseExitOn } from '../../src/compare/index.ts';
import type { IroncladError } from '../../src/core/index.ts';

test('parseExitOn: comma-separated, blanks ignored, duplicates collapse', () => {
  assert.deepEqual(parseExitOn('vulnerability, package,,package'), ['vulnerability', 'package']);
  assert.deepEqual(parseExitOn(''), []);
});

test('parseExitOn: an unknown condition is USAGE', () => {
  assert.throws(
    () => parseExitOn('package,policy'),
    (e: IroncladError) => e.code === 'USAGE',
  );
});

const zero = { critical: 0, high: 0, medium: 0, low: 0, negligible: 0, unknown: 0 };

/** Only the fields exitOnReasons reads. */
function result(vulns: CompareResult['delta']['vulnerabilities'], changes: string[]): CompareResult {
  return {
    delta: { vulnerabilities: vulns },
    packages: changes.map((change, i) => ({ name: `p${i}`, change, target: null, baseline: null })),
  } as unknown as CompareResult;
}

const cases: { name: string; r: CompareResult; want: number }[] = [
  { name: 'nothing changed', r: result({ ...zero, total: 0 }, ['unchanged']), want: 0 },
  { name: 'fewer vulnerabilities', r: result({ ...zero, high: -2, total: -2 }, []), want: 0 },
  { name: 'one more low', r: result({ ...zero, low: 1, total: 1 }, []), want: 1 },
  { name: 'same total, worse mix', r: result({ ...zero, critical: 1, low: -1, total: 0 }, []), want: 1 },
  { name: 'a package upgraded', r: result({ ...zero, total: 0 }, ['unchanged', 'upgraded']), want: 1 },
  { name: 'both conditions met', r: result({ ...zero, medium: 3, total: 3 }, ['removed']), want: 2 },
];

for (const c of cases) {
  test(`exitOnReasons: ${c.name}`, () => {
    assert.equal(exitOnReasons(c.r, ['vulnerability', 'package']).length, c.want);
  });
}

test('exitOnReasons: only the asked conditions count', () => {
  const r = result({ ...zero, medium: 3, total: 3 }, ['removed']);
  assert.deepEqual(exitOnReasons(r, []), []);
  assert.equal(exitOnReasons(r, ['package']).length, 1);
});
