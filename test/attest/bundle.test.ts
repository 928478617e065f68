import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { test } from 'node:test';
import { assertBundleLatest, bundleFromJSON } from '@sigstore/bundle';
import { type TrustMaterial, toSignedEntity, Verifier } from '@sigstore/verify';
import { parseBundle, SIGSTORE_BUNDLE_V03_MEDIA_TYPE } from '../../src/attest/bundle.ts';
import { keySigner } from '../../src/attest/index.ts';
import { keyFingerprint } from '../../src/attest/keys.ts';
import { signImage, signStatement } from '../../src/attest/sign.ts';
import { buildStatement, imageSubject } from '../../src/attest/statement.ts';
import { isIroncladError } from '../../src/core/index.ts';

const DIGEST = `sha256:${'cd'.repeat(32)}`;

/** Trust material holding exactly one public key under its hint, and nothing else (no CAs, logs or TSAs). */
function trustFor(publicKey: KeyObject): TrustMaterial {
  const hint = keyFingerprint(publicKey);
  return {
    certificateAuthorities: [],
    timestampAuthorities: [],
    tlogs: [],
    ctlogs: [],
    publicKey: (h) => {
      if (h !== hint) throw new Error(`unknown key hint ${h}`);
      return { publicKey, validFor: () => true };
    },
  };
}

// Our bundles carry no transparency-log entry and no timestamp, so those thresholds are 0.
const verifierFor = (publicKey: KeyObject) =>
  new Verifier(trustFor(publicKey), { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });

function sigstoreBundle(bytes: Uint8Array) {
  const bundle = bundleFromJSON(JSON.parse(Buffer.from(bytes).toString('utf8')));
  assertBundleLatest(bundle);
  return bundle;
}

test('a DSSE attestation bundle verifies with @sigstore/verify and public-key trust material', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const statement = buildStatement([imageSubject('example/img', DIGEST)], 'https://example/p', { ok: true });
  const bytes = await signStatement(statement, keySigner(privateKey));
  const doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  assert.equal(doc.mediaType, SIGSTORE_BUNDLE_V03_MEDIA_TYPE);
  assert.deepEqual(doc.verificationMaterial, { publicKey: { hint: keyFingerprint(publicKey) }, tlogEntries: [] });
  assert.equal(doc.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');

  const signer = verifierFor(publicKey).verify(toSignedEntity(sigstoreBundle(bytes)));
  assert.ok(signer.key.equals(publicKey));

  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const wrongKeyTrust = { ...trustFor(other), publicKey: () => ({ publicKey: other, validFor: () => true }) };
  const wrong = new Verifier(wrongKeyTrust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  assert.throws(() => wrong.verify(toSignedEntity(sigstoreBundle(bytes))));
});

test('an image signature (message-signature bundle) verifies with @sigstore/verify given its payload', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sig = await signImage(
    { dockerReference: 'registry.example/python', manifestDigest: DIGEST },
    keySigner(privateKey),
  );
  const doc = JSON.parse(Buffer.from(sig.bundle).toString('utf8'));
  assert.equal(doc.messageSignature.messageDigest.algorithm, 'SHA2_256');
  const payload = JSON.parse(Buffer.from(sig.payload).toString('utf8'));
  assert.deepEqual(payload, {
    critical: {
      identity: { 'docker-reference': 'registry.example/python' },
      image: { 'docker-manifest-digest': DIGEST },
      type: 'cosign container image signature',
    },
    optional: {},
  });

  verifierFor(publicKey).verify(toSignedEntity(sigstoreBundle(sig.bundle), Buffer.from(sig.payload)));
  const altered = Buffer.from(sig.payload);
  altered[altered.length - 2] = 0x20;
  assert.throws(() => verifierFor(publicKey).verify(toSignedEntity(sigstoreBundle(sig.bundle), altered)));
});

test('parseBundle round-trips both kinds and rejects what it cannot verify', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signer = keySigner(privateKey);
  const dsse = parseBundle(await signStatement(buildStatement([imageSubject('x', DIGEST)], 'p', {}), signer));
  assert.equal(dsse.kind, 'dsse');
  assert.equal(dsse.keyHint, signer.keyHint);
  const ms = parseBundle((await signImage({ dockerReference: 'x', manifestDigest: DIGEST }, signer)).bundle);
  assert.equal(ms.kind, 'message-signature');

  const enc = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));
  const base = { mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE, verificationMaterial: { publicKey: { hint: 'h' } } };
  const envelope = { payload: 'e30=', payloadType: 'x', signatures: [{ sig: 'AA==', keyid: '' }] };
  const invalid = (e: unknown) => isIroncladError(e, 'INVALID_INPUT');
  assert.throws(() => parseBundle(enc({ ...base, mediaType: 'application/json' })), invalid);
  assert.throws(() => parseBundle(enc(base)), invalid);
  assert.throws(
    () =>
      parseBundle(
        enc({ ...base, dsseEnvelope: { ...envelope, signatures: [envelope.signatures[0], envelope.signatures[0]] } }),
      ),
    invalid,
  );
  assert.throws(
    () =>
      parseBundle(
        enc({
          ...base,
          messageSignature: { messageDigest: { algorithm: 'SHA2_512', digest: 'AA==' }, signature: 'AA==' },
        }),
      ),
    invalid,
  );
  assert.throws(() => parseBundle(new TextEncoder().encode('{')), invalid);
  assert.throws(
    () =>
      parseBundle(
        enc({ ...base, verificationMaterial: { certificate: { rawBytes: 'AA==' } }, dsseEnvelope: envelope }),
      ),
    (e) => isIroncladError(e, 'VERIFICATION_FAILED'),
  );
});
