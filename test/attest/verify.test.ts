import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { serializeBundle } from '../../src/attest/bundle.ts';
import { signEnvelope } from '../../src/attest/dsse.ts';
import { keySigner } from '../../src/attest/index.ts';
import { signImage, signStatement } from '../../src/attest/sign.ts';
import { buildStatement, imageSubject } from '../../src/attest/statement.ts';
import { verifyAttestation, verifyImageSignature } from '../../src/attest/verify.ts';
import { type ErrorCode, isIroncladError } from '../../src/core/index.ts';

const DIGEST = `sha256:${'12'.repeat(32)}`;
const OTHER_DIGEST = `sha256:${'34'.repeat(32)}`;
const PREDICATE = 'https://slsa.dev/provenance/v1';
const newKeys = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const code = (c: ErrorCode) => (e: unknown) => isIroncladError(e, c);

/** The parts of a bundle's JSON the tamper cases touch. */
interface BundleJson {
  dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string }[] };
  messageSignature: { signature: string };
}

/** Rewrites one field of a bundle's JSON (decoded) and serialises it again, as an attacker would. */
function edit(bundle: Uint8Array, change: (doc: BundleJson) => void): Uint8Array {
  const doc = JSON.parse(Buffer.from(bundle).toString('utf8'));
  change(doc);
  return new TextEncoder().encode(JSON.stringify(doc));
}

function flipByte(b64: string, at: (len: number) => number, to?: number): string {
  const bytes = Buffer.from(b64, 'base64');
  const i = at(bytes.length);
  bytes[i] = to ?? (bytes[i] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

async function fixture(subjectDigest = DIGEST, predicateType = PREDICATE) {
  const keys = newKeys();
  const statement = buildStatement([imageSubject('registry.example/python', subjectDigest)], predicateType, { x: 1 });
  return { ...keys, bundle: await signStatement(statement, keySigner(keys.privateKey)) };
}

test('a good attestation verifies and returns the statement', async () => {
  const { publicKey, bundle } = await fixture();
  const out = verifyAttestation(bundle, publicKey, { subjectDigest: DIGEST, predicateType: PREDICATE });
  assert.equal(out.statement.predicateType, PREDICATE);
  assert.deepEqual(out.statement.predicate, { x: 1 });
});

test('tamper matrix: each alteration fails with the right code', async () => {
  const { publicKey, bundle } = await fixture();
  const expected = { subjectDigest: DIGEST, predicateType: PREDICATE };
  const cases: [string, () => unknown, ErrorCode][] = [
    [
      'one byte of the payload',
      () =>
        verifyAttestation(
          edit(bundle, (d) => (d.dsseEnvelope.payload = flipByte(d.dsseEnvelope.payload, (n) => n - 2))),
          publicKey,
          expected,
        ),
      'SIGNATURE_INVALID',
    ],
    [
      'one byte of the signature',
      () =>
        verifyAttestation(
          edit(
            bundle,
            (d) => (d.dsseEnvelope.signatures[0]!.sig = flipByte(d.dsseEnvelope.signatures[0]!.sig, (n) => n - 1)),
          ),
          publicKey,
          expected,
        ),
      'SIGNATURE_INVALID',
    ],
    [
      'one byte of the signed subject digest',
      () =>
        verifyAttestation(
          edit(bundle, (d) => {
            const text = Buffer.from(d.dsseEnvelope.payload, 'base64').toString('utf8').replace('1212', '1213');
            d.dsseEnvelope.payload = Buffer.from(text).toString('base64');
          }),
          publicKey,
          expected,
        ),
      'SIGNATURE_INVALID',
    ],
    [
      'the payload type',
      () =>
        verifyAttestation(
          edit(bundle, (d) => (d.dsseEnvelope.payloadType = 'application/json')),
          publicKey,
          expected,
        ),
      'SIGNATURE_INVALID',
    ],
    ['a wrong key', () => verifyAttestation(bundle, newKeys().publicKey, expected), 'SIGNATURE_INVALID'],
    [
      'another image',
      () => verifyAttestation(bundle, publicKey, { ...expected, subjectDigest: OTHER_DIGEST }),
      'SUBJECT_MISMATCH',
    ],
    [
      'a wrong predicate type',
      () => verifyAttestation(bundle, publicKey, { ...expected, predicateType: 'https://spdx.dev/Document' }),
      'VERIFICATION_FAILED',
    ],
    ['a truncated bundle', () => verifyAttestation(bundle.subarray(0, 40), publicKey, expected), 'VERIFICATION_FAILED'],
    [
      'invalid base64 in the payload',
      () =>
        verifyAttestation(
          edit(bundle, (d) => (d.dsseEnvelope.payload = '***')),
          publicKey,
          expected,
        ),
      'VERIFICATION_FAILED',
    ],
  ];
  for (const [what, run, want] of cases) {
    assert.throws(run, code(want), what);
  }
});

test('a validly signed envelope with another payload type or a plain signature is VERIFICATION_FAILED', async () => {
  const { privateKey, publicKey } = newKeys();
  const signer = keySigner(privateKey);
  const statement = buildStatement([imageSubject('x', DIGEST)], PREDICATE, {});
  const envelope = await signEnvelope('application/json', new TextEncoder().encode(JSON.stringify(statement)), signer);
  const bundle = serializeBundle({ kind: 'dsse', keyHint: signer.keyHint, envelope });
  const expected = { subjectDigest: DIGEST, predicateType: PREDICATE };
  assert.throws(() => verifyAttestation(bundle, publicKey, expected), code('VERIFICATION_FAILED'));
  const image = await signImage({ dockerReference: 'x', manifestDigest: DIGEST }, signer);
  assert.throws(() => verifyAttestation(image.bundle, publicKey, expected), code('VERIFICATION_FAILED'));
  assert.throws(() => verifyAttestation(bundle, publicKey, { ...expected, subjectDigest: 'latest' }), code('USAGE'));
});

test('image signatures: good, tampered payload or signature, wrong key, wrong image', async () => {
  const { privateKey, publicKey } = newKeys();
  const sig = await signImage(
    { dockerReference: 'registry.example/python', manifestDigest: DIGEST },
    keySigner(privateKey),
  );
  const ok = verifyImageSignature(sig.bundle, sig.payload, publicKey, DIGEST);
  assert.equal(ok.critical.identity['docker-reference'], 'registry.example/python');

  const payload = Buffer.from(sig.payload);
  payload[10] = (payload[10] ?? 0) ^ 0x01;
  assert.throws(() => verifyImageSignature(sig.bundle, payload, publicKey, DIGEST), code('SIGNATURE_INVALID'));
  const badSig = edit(
    sig.bundle,
    (d) => (d.messageSignature.signature = flipByte(d.messageSignature.signature, (n) => n - 1)),
  );
  assert.throws(() => verifyImageSignature(badSig, sig.payload, publicKey, DIGEST), code('SIGNATURE_INVALID'));
  assert.throws(
    () => verifyImageSignature(sig.bundle, sig.payload, newKeys().publicKey, DIGEST),
    code('SIGNATURE_INVALID'),
  );
  assert.throws(() => verifyImageSignature(sig.bundle, sig.payload, publicKey, OTHER_DIGEST), code('SUBJECT_MISMATCH'));
  const attestation = (await fixture()).bundle;
  assert.throws(() => verifyImageSignature(attestation, sig.payload, publicKey, DIGEST), code('VERIFICATION_FAILED'));
});
