import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openWithPassword, sealWithPassword } from '../../src/attest/key-encryption.ts';
import { isIroncladError } from '../../src/core/index.ts';

// A published example of the envelope cosign's key files use (go-securesystemslib `encrypted` test data):
// plaintext "reallyimportant", password "supersecret". Decrypting it proves byte-level interoperability.
const PUBLISHED_ENVELOPE =
  '{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"N9a7x5JFGbrtB2uBR81jPwp0eiLR4A7FV3mjVAQrg1g="},' +
  '"cipher":{"name":"nacl/secretbox","nonce":"2h8HxMmgRfuYdpswZBQaU3xJ1nkA/5Ik"},' +
  '"ciphertext":"SEW6sUh0jf2wfdjJGPNS9+bkk2uB+Cxamf32zR8XkQ=="}';

test('decrypts an envelope written by the reference implementation', async () => {
  const plain = await openWithPassword(PUBLISHED_ENVELOPE, 'supersecret');
  assert.equal(Buffer.from(plain).toString('utf8'), 'reallyimportant');
});

test('seal/open roundtrip and the documented envelope structure', async () => {
  const secret = new TextEncoder().encode('pkcs8 bytes here');
  const text = await sealWithPassword(secret, 'pw');
  const doc = JSON.parse(text);
  assert.deepEqual(Object.keys(doc).sort(), ['cipher', 'ciphertext', 'kdf']);
  assert.equal(doc.kdf.name, 'scrypt');
  assert.deepEqual(doc.kdf.params, { N: 32768, r: 8, p: 1 });
  assert.equal(Buffer.from(doc.kdf.salt, 'base64').length, 32);
  assert.equal(doc.cipher.name, 'nacl/secretbox');
  assert.equal(Buffer.from(doc.cipher.nonce, 'base64').length, 24);
  assert.equal(Buffer.from(doc.ciphertext, 'base64').length, secret.length + 16);
  assert.deepEqual(await openWithPassword(text, 'pw'), secret);
});

test('wrong password, tampering and hostile parameters are KEY_INVALID', async () => {
  const bad = async (envelope: string, password = 'supersecret') =>
    assert.rejects(openWithPassword(envelope, password), (e) => isIroncladError(e, 'KEY_INVALID'));
  await bad(PUBLISHED_ENVELOPE, 'wrong');
  await bad(PUBLISHED_ENVELOPE.replace('SEW6', 'SEW7'));
  await bad(PUBLISHED_ENVELOPE.replace('"N":32768', '"N":1073741824'));
  await bad(PUBLISHED_ENVELOPE.replace('nacl/secretbox', 'aes-gcm'));
  await bad(PUBLISHED_ENVELOPE.replace('"salt":"', '"salt":"!'));
  await bad('not json');
  await bad('{}');
});
