import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildStatement, imageSubject, parseStatement, statementBytes } from '../../src/attest/statement.ts';
import { isIroncladError } from '../../src/core/index.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const enc = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));
const isInvalid = (e: unknown) => isIroncladError(e, 'INVALID_INPUT');

test('builds a v1 statement with canonical, deterministic bytes', () => {
  const s = buildStatement([imageSubject('registry.example/python', DIGEST)], 'https://example/p', { z: 1, a: 2 });
  const text = Buffer.from(statementBytes(s)).toString('utf8');
  assert.equal(
    text,
    `{"_type":"https://in-toto.io/Statement/v1","predicate":{"a":2,"z":1},"predicateType":"https://example/p",` +
      `"subject":[{"digest":{"sha256":"${'ab'.repeat(32)}"},"name":"registry.example/python"}]}`,
  );
  assert.deepEqual(parseStatement(statementBytes(s)), s);
});

test('imageSubject rejects anything but sha256:<64 hex>', () => {
  for (const d of ['sha256:abc', `sha512:${'a'.repeat(64)}`, 'ab'.repeat(32), `sha256:${'AB'.repeat(32)}`]) {
    assert.throws(() => imageSubject('x', d), isInvalid);
  }
});

test('parse rejects malformed statements, naming fields', () => {
  const good = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'x', digest: { sha256: 'ab'.repeat(32) } }],
    predicateType: 'p',
    predicate: {},
  };
  assert.ok(parseStatement(enc(good)));
  assert.ok(parseStatement(enc({ ...good, _type: 'https://in-toto.io/Statement/v0.1' })));
  for (const bad of [
    { ...good, _type: 'https://in-toto.io/Statement/v2' },
    { ...good, subject: [] },
    { ...good, subject: [{ name: 'x', digest: {} }] },
    { ...good, subject: [{ name: 'x', digest: { sha256: 'zz' } }] },
    { ...good, predicateType: 7 },
    { ...good, predicate: [1] },
    [good],
  ]) {
    assert.throws(() => parseStatement(enc(bad)), isInvalid);
  }
  assert.throws(() => parseStatement(new Uint8Array([0xff, 0xfe])), isInvalid);
});
