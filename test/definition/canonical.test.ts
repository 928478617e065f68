import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, isIroncladError } from '../../src/core/index.ts';
import { documentDigest } from '../../src/definition/canonical.ts';

test('canonicalJson sorts keys at every depth and keeps array order', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }, true] }), '{"a":[{"c":"x","d":null},true],"b":1}');
  assert.equal(canonicalJson({ é: 1, z: 2, Z: 3 }), '{"Z":3,"z":2,"é":1}');
});

test('documentDigest ignores key order but not values', () => {
  const a = documentDigest({ name: 'x', packages: ['a', 'b'] });
  assert.match(a, /^sha256:[0-9a-f]{64}$/);
  assert.equal(documentDigest({ packages: ['a', 'b'], name: 'x' }), a);
  assert.notEqual(documentDigest({ name: 'x', packages: ['b', 'a'] }), a);
});

test('canonicalJson refuses values JSON cannot represent', () => {
  assert.throws(
    () => canonicalJson({ x: Number.NaN }),
    (e) => isIroncladError(e, 'INTERNAL'),
  );
  assert.throws(
    () => canonicalJson({ x: () => 1 }),
    (e) => isIroncladError(e, 'INTERNAL'),
  );
});
