import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, isIroncladError } from '../../src/core/index.ts';

test('sorts keys recursively, drops undefined properties, no whitespace', () => {
  const value = { b: 1, a: { z: [3, { y: true, x: null }], é: 'x', A: 'y' }, u: undefined };
  assert.equal(canonicalJson(value), '{"a":{"A":"y","z":[3,{"x":null,"y":true}],"é":"x"},"b":1}');
});

test('numbers and strings use ECMAScript serialisation (RFC 8785 §3.2.2)', () => {
  assert.equal(canonicalJson([1e21, 0.1, -0, 'a"\n\u0001']), '[1e+21,0.1,0,"a\\"\\n\\u0001"]');
});

test('equal values give equal text regardless of key insertion order', () => {
  assert.equal(canonicalJson({ x: 1, y: 2 }), canonicalJson({ y: 2, x: 1 }));
});

test('values JSON cannot represent are INTERNAL errors', () => {
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, () => 1, 10n]) {
    assert.throws(
      () => canonicalJson({ v: bad }),
      (e) => isIroncladError(e, 'INTERNAL'),
    );
  }
});
