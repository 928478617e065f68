import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffKeyValues, envRecord } from '../../src/compare/kv-diff.ts';

const cases: { name: string; target: Record<string, string>; baseline: Record<string, string>; want: string[][] }[] = [
  { name: 'both empty', target: {}, baseline: {}, want: [] },
  { name: 'added', target: { A: '1' }, baseline: {}, want: [['A', 'added', '1', '']] },
  { name: 'removed', target: {}, baseline: { A: '1' }, want: [['A', 'removed', '', '1']] },
  { name: 'changed', target: { A: '2' }, baseline: { A: '1' }, want: [['A', 'changed', '2', '1']] },
  { name: 'unchanged', target: { A: '1' }, baseline: { A: '1' }, want: [['A', 'unchanged', '1', '1']] },
  {
    name: 'empty value differs from absent',
    target: { A: '' },
    baseline: {},
    want: [['A', 'added', '', '']],
  },
  {
    name: 'sorted by key',
    target: { b: '1', A: '1' },
    baseline: { c: '1' },
    want: [
      ['A', 'added', '1', ''],
      ['b', 'added', '1', ''],
      ['c', 'removed', '', '1'],
    ],
  },
];

for (const c of cases) {
  test(`diffKeyValues: ${c.name}`, () => {
    const got = diffKeyValues(c.target, c.baseline).map((x) => [x.key, x.change, x.target ?? '', x.baseline ?? '']);
    assert.deepEqual(got, c.want);
  });
}

test('diffKeyValues tells a missing key from an empty value', () => {
  const [a] = diffKeyValues({ A: '' }, {});
  assert.equal(a?.target, '');
  assert.equal(a?.baseline, null);
});

test('envRecord splits at the first "=", keeps the last duplicate, and skips entries without a name', () => {
  assert.deepEqual({ ...envRecord(['A=1=2', 'B=x', 'B=y', 'C', '=bad']) }, { A: '1=2', B: 'y', C: '' });
  assert.deepEqual({ ...envRecord(undefined) }, {});
});

test('a key named __proto__ is an ordinary key', () => {
  const env = envRecord(['__proto__=x']);
  assert.deepEqual(
    diffKeyValues(env, {}).map((x) => [x.key, x.change]),
    [['__proto__', 'added']],
  );
});
