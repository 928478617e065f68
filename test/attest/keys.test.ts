import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { test } from 'node:test';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from '../../src/attest/index.ts';
import { openWithPassword, sealWithPassword } from '../../src/attest/key-encryption.ts';
import { keyFingerprint, pemEncode } from '../../src/attest/keys.ts';
import { isIroncladError } from '../../src/core/index.ts';

const isKeyInvalid = (e: unknown) => isIroncladError(e, 'KEY_INVALID');

function pemBody(pem: string, label: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----\\n([\\s\\S]+?)\\n-----END ${label}-----\\n$`).exec(pem);
  assert.ok(m, `expected a ${label} PEM block`);
  return Buffer.from((m[1] ?? '').replace(/\n/g, ''), 'base64');
}

test('generate → load with password roundtrip; keys sign and verify together', async () => {
  const pair = await generateKeyPair('correct horse');
  const priv = await loadPrivateKey(pair.privateKeyPem, 'correct horse');
  const pub = loadPublicKey(pair.publicKeyPem);
  const data = Buffer.from('hello');
  assert.ok(verify('sha256', data, pub, sign('sha256', data, priv)));
  assert.equal(keyFingerprint(pub), pair.fingerprint);
});

test('private key file has the cosign structure; its content is PKCS#8 DER; the public key is PKIX', async () => {
  const pair = await generateKeyPair('pw');
  assert.match(pair.privateKeyPem, /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
  assert.ok(pair.privateKeyPem.split('\n').every((l) => l.length <= 64));
  const envelope = pemBody(pair.privateKeyPem, 'ENCRYPTED SIGSTORE PRIVATE KEY');
  const doc = JSON.parse(envelope.toString('utf8'));
  assert.equal(doc.kdf.name, 'scrypt');
  assert.equal(doc.cipher.name, 'nacl/secretbox');
  const der = await openWithPassword(envelope, 'pw');
  const viaNode = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  assert.equal(viaNode.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const pub = createPublicKey(pair.publicKeyPem);
  assert.equal(pub.asymmetricKeyType, 'ec');
  assert.deepEqual(
    createPublicKey(viaNode).export({ format: 'der', type: 'spki' }),
    pub.export({ format: 'der', type: 'spki' }),
  );
});

test('reads a key in the format cosign writes, including the older COSIGN label', async () => {
  // cosign is not installed here, so build its format independently: PKCS#8 DER → envelope → PEM.
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const envelope = Buffer.from(await sealWithPassword(der, ''), 'utf8');
  for (const label of ['ENCRYPTED SIGSTORE PRIVATE KEY', 'ENCRYPTED COSIGN PRIVATE KEY']) {
    const loaded = await loadPrivateKey(pemEncode(label, envelope), '');
    assert.deepEqual(loaded.export({ format: 'der', type: 'pkcs8' }), der);
  }
});

test('wrong password is KEY_INVALID', async () => {
  const pair = await generateKeyPair('right');
  await assert.rejects(loadPrivateKey(pair.privateKeyPem, 'wrong'), isKeyInvalid);
});

test('malformed or unsupported key files are KEY_INVALID', async () => {
  const pair = await generateKeyPair('pw');
  await assert.rejects(loadPrivateKey('garbage', 'pw'), isKeyInvalid);
  await assert.rejects(loadPrivateKey(pair.publicKeyPem, 'pw'), isKeyInvalid);
  const plain = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' });
  await assert.rejects(loadPrivateKey(plain, 'pw'), isKeyInvalid);
  await assert.rejects(loadPrivateKey('x'.repeat(100_000), 'pw'), isKeyInvalid);
  // An Ed25519 key in an otherwise valid envelope.
  const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' });
  const edPem = pemEncode('ENCRYPTED SIGSTORE PRIVATE KEY', Buffer.from(await sealWithPassword(ed, 'pw')));
  await assert.rejects(loadPrivateKey(edPem, 'pw'), isKeyInvalid);

  assert.throws(() => loadPublicKey(pair.privateKeyPem), isKeyInvalid);
  assert.throws(() => loadPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'), isKeyInvalid);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'pem', type: 'spki' });
  assert.throws(() => loadPublicKey(rsa), isKeyInvalid);
});
