import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { keySigner } from '../../src/attest/index.ts';
import { SPDX_DOCUMENT } from '../../src/attest/predicates/index.ts';
import { attestationReferrer, imageSignatureReferrer } from '../../src/attest/referrer.ts';
import { signImage, signStatement } from '../../src/attest/sign.ts';
import { buildStatement, imageSubject } from '../../src/attest/statement.ts';

const DIGEST = `sha256:${'ef'.repeat(32)}`;
const SUBJECT = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: DIGEST, size: 1234 };
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('attestation referrer follows the cosign bundle layout and is deterministic', async () => {
  const signer = keySigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  const bundle = await signStatement(buildStatement([imageSubject('x', DIGEST)], SPDX_DOCUMENT, {}), signer);
  const r = attestationReferrer(bundle, SUBJECT, SPDX_DOCUMENT);
  assert.equal(r.artifactType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  // OCI image spec: the empty descriptor is `{}` with this well-known digest.
  assert.equal(r.config.mediaType, 'application/vnd.oci.empty.v1+json');
  assert.equal(r.config.digest, 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  assert.equal(r.config.size, 2);
  assert.equal(r.layers.length, 1);
  const layer = r.layers[0]!;
  assert.equal(layer.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  assert.equal(layer.digest, sha(bundle));
  assert.equal(layer.size, bundle.length);
  assert.equal(layer.annotations?.['org.opencontainers.image.title'], `${sha(bundle).replace(':', '-')}.sigstore.json`);
  assert.deepEqual(r.subject, SUBJECT);
  assert.deepEqual(r.annotations, {
    'dev.sigstore.bundle.content': 'dsse-envelope',
    'dev.sigstore.bundle.predicateType': SPDX_DOCUMENT,
  });
  assert.deepEqual(attestationReferrer(bundle, SUBJECT, SPDX_DOCUMENT), r);
  const dated = attestationReferrer(bundle, SUBJECT, SPDX_DOCUMENT, { created: '2024-01-01T00:00:00Z' });
  assert.equal(dated.annotations['org.opencontainers.image.created'], '2024-01-01T00:00:00Z');
});

test('image signature referrer carries the bundle first and the simple-signing payload second', async () => {
  const signer = keySigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  const sig = await signImage({ dockerReference: 'x', manifestDigest: DIGEST }, signer);
  const r = imageSignatureReferrer(sig, SUBJECT);
  assert.deepEqual(
    r.layers.map((l) => [l.mediaType, l.digest]),
    [
      ['application/vnd.dev.sigstore.bundle.v0.3+json', sha(sig.bundle)],
      ['application/vnd.dev.cosign.simplesigning.v1+json', sha(sig.payload)],
    ],
  );
  assert.equal(r.annotations['dev.sigstore.bundle.content'], 'message-signature');
});
