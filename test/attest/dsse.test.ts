import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import {
  envelopeFromJson,
  envelopeToJson,
  IN_TOTO_PAYLOAD_TYPE,
  pae,
  signEnvelope,
  verifyEnvelope,
} from '../../src/attest/dsse.ts';
import { keySigner } from '../../src/attest/index.ts';
import { isIroncladError } from '../../src/core/index.ts';

const keys = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const isSigInvalid = (e: unknown) => isIroncladError(e, 'SIGNATURE_INVALID');

test('PAE matches the DSSE protocol example', () => {
  // DSSE protocol.md test vector: PAE("http://example.com/HelloWorld", "hello world").
  const out = pae('http://example.com/HelloWorld', new TextEncoder().encode('hello world'));
  assert.equal(Buffer.from(out).toString('utf8'), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
});

test('PAE lengths count UTF-8 bytes, not characters', () => {
  const out = pae('tÿpe', new TextEncoder().encode('€'));
  assert.equal(Buffer.from(out).toString('utf8'), 'DSSEv1 5 tÿpe 3 €');
});

test('sign → JSON → parse → verify; the signature is DER ECDSA', async () => {
  const { privateKey, publicKey } = keys();
  const env = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, new TextEncoder().encode('{"a":1}'), keySigner(privateKey));
  assert.equal(env.signatures.length, 1);
  assert.equal(env.signatures[0]?.sig[0], 0x30, 'DER SEQUENCE');
  const json = JSON.parse(JSON.stringify(envelopeToJson(env)));
  assert.equal(Buffer.from(json.payload, 'base64').toString(), '{"a":1}');
  verifyEnvelope(envelopeFromJson(json), publicKey);
});

test('tampered payload, payload type or signature, or another key: SIGNATURE_INVALID', async () => {
  const { privateKey, publicKey } = keys();
  const env = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, new TextEncoder().encode('{"a":1}'), keySigner(privateKey));
  const payload = Uint8Array.from(env.payload);
  payload[5] = 0x32;
  assert.throws(() => verifyEnvelope({ ...env, payload }, publicKey), isSigInvalid);
  assert.throws(() => verifyEnvelope({ ...env, payloadType: 'application/json' }, publicKey), isSigInvalid);
  const sig = Uint8Array.from(env.signatures[0]!.sig);
  sig[sig.length - 1] = (sig[sig.length - 1] ?? 0) ^ 1;
  assert.throws(() => verifyEnvelope({ ...env, signatures: [{ keyid: '', sig }] }, publicKey), isSigInvalid);
  assert.throws(
    () => verifyEnvelope({ ...env, signatures: [{ keyid: '', sig: new Uint8Array([1]) }] }, publicKey),
    isSigInvalid,
  );
  assert.throws(() => verifyEnvelope(env, keys().publicKey), isSigInvalid);
});

test('malformed envelope JSON is INVALID_INPUT', () => {
  const bad = (x: unknown) =>
    assert.throws(
      () => envelopeFromJson(x),
      (e) => isIroncladError(e, 'INVALID_INPUT'),
    );
  bad(null);
  bad({ payloadType: 'x', payload: 'e30=', signatures: [] });
  bad({ payloadType: 'x', payload: 'e30=' });
  bad({ payloadType: 'x', payload: 'not base64!', signatures: [{ sig: 'AA==' }] });
  bad({ payloadType: '', payload: 'e30=', signatures: [{ sig: 'AA==' }] });
});
