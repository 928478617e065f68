import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editDistance, suggestNames } from '../../src/core/suggest.ts';

test('editDistance', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('same', 'same'), 0);
  assert.equal(editDistance('crul', 'curl'), 1); // an adjacent swap is one edit
  assert.equal(editDistance('abcdef', 'uvwxyz', 2), 3); // gives up past the limit
});

test('suggestNames: extensions, then one-edit typos, then prefixes, then close names; never the query', () => {
  const names = [
    'python3',
    'python3.11',
    'python3.11-minimal',
    'python3-pip',
    'pythn3.1',
    'curl',
    'python3.1x',
    'python3.1',
  ];
  assert.deepEqual(suggestNames('python3.1', names), [
    'python3.11',
    'python3.1x',
    'python3.11-minimal',
    'pythn3.1',
    'python3',
  ]);
  assert.deepEqual(suggestNames('curl', names), []);
  assert.deepEqual(suggestNames('crul', names), ['curl']);
  assert.deepEqual(suggestNames('zzzzzz', names), []);
});
