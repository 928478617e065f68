import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildUniverse, resolveClosure, whyPaths } from '../../src/debian/index.ts';
import { pkg } from '../support/debian-entries.ts';

test('whyPaths lists paths from the roots, shortest first, without repeating a package', () => {
  const u = buildUniverse(
    [
      pkg('app', { depends: 'a, b' }),
      pkg('a', { depends: 'c' }),
      pkg('b', { depends: 'a, c' }),
      pkg('c', { depends: 'app' }),
    ],
    { architecture: 'amd64' },
  );
  const r = resolveClosure({ packages: ['app'] }, u);
  assert.deepEqual(whyPaths(r, 'c'), [
    ['app', 'a', 'c'],
    ['app', 'b', 'c'],
    ['app', 'b', 'a', 'c'],
  ]);
  assert.deepEqual(whyPaths(r, 'c', 1), [['app', 'a', 'c']]);
  assert.deepEqual(whyPaths(r, 'app'), [['app']]);
  assert.deepEqual(whyPaths(r, 'nothing'), []);
});

test('whyPaths explains excluded names too', () => {
  const u = buildUniverse([pkg('app', { depends: 'debconf' }), pkg('debconf')], { architecture: 'amd64' });
  const r = resolveClosure({ packages: ['app'], exclude: ['debconf'] }, u);
  assert.deepEqual(whyPaths(r, 'debconf'), [['app', 'debconf']]);
});
