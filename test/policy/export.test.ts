import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { generateKeyPair, loadPublicKey, publicKeyToPem, REQUIREMENTS } from '../../src/attest/index.ts';
import { isIroncladError } from '../../src/core/index.ts';
import { exportAdmissionPolicy } from '../../src/policy/export.ts';
import { CRD_SCHEMAS, crdValidator } from '../support/crd-schema.ts';

/* The predicate types Ironclad attaches (src/attest/predicates), spelled out so a renamed constant shows here. */
const PROVENANCE = 'https://slsa.dev/provenance/v1';
const SPDX = 'https://spdx.dev/Document';
const CYCLONEDX = 'https://cyclonedx.org/bom';
const OPENVEX = 'https://openvex.dev/ns/v0.2.0';
const CTRF = 'https://ctrf.io/report/v1';
const ALL = [PROVENANCE, SPDX, CYCLONEDX, OPENVEX, CTRF];

test('the requirement names cover exactly the predicate types verify knows and builds attach', () => {
  assert.deepEqual(Object.values(REQUIREMENTS).flat().sort(), [...ALL].sort());
});

const pair = await generateKeyPair('');
const publicKey = loadPublicKey(pair.publicKeyPem);
const pem = publicKeyToPem(publicKey).trim();

const validateKyverno = crdValidator(CRD_SCHEMAS.kyvernoClusterPolicy);
const validateCip = crdValidator(CRD_SCHEMAS.clusterImagePolicy);

type Obj = Record<string, any>;

function exportDocs(controller: string, images: string[], require: string[], name = 'ironclad-images'): Obj[] {
  const yaml = exportAdmissionPolicy(controller, { name, publicKey, images, require });
  const docs = parseAllDocuments(yaml);
  assert.ok(Array.isArray(docs), 'well-formed YAML');
  for (const d of docs) assert.deepEqual(d.errors, []);
  return docs.map((d) => d.toJS() as Obj);
}

function assertValid(validate: ReturnType<typeof crdValidator>, doc: Obj): void {
  assert.ok(validate(doc), JSON.stringify(validate.errors, null, 2));
}

/** The key in a policy decodes to the same public key (not just similar text). */
function assertSameKey(text: string): void {
  assert.equal(text.trim(), pem);
  const der = (k: string) => createPublicKey(k).export({ format: 'der', type: 'spki' });
  assert.deepEqual(der(text), der(pair.publicKeyPem));
}

for (const require of [[], ['provenance'], ['provenance', 'sbom', 'vex', 'tests'], ['https://example.com/pred/v1']]) {
  test(`kyverno ClusterPolicy validates against Kyverno's CRD schema (require: ${require.join(',') || 'none'})`, () => {
    const images = ['registry.example.com/team/*', 'registry.example.com/base/python:3.11*'];
    const [doc, ...rest] = exportDocs('kyverno', images, require);
    assert.equal(rest.length, 0);
    assert.ok(doc);
    assertValid(validateKyverno, doc);
    assert.equal(doc.apiVersion, 'kyverno.io/v1');
    assert.equal(doc.kind, 'ClusterPolicy');
    assert.equal(doc.metadata.name, 'ironclad-images');
    assert.equal(doc.spec.failurePolicy, 'Fail');
    const rule = doc.spec.rules[0];
    assert.deepEqual(rule.match, { any: [{ resources: { kinds: ['Pod'] } }] });
    const verify = rule.verifyImages[0];
    assert.deepEqual(verify.imageReferences, images);
    assert.equal(verify.type, 'Cosign');
    assert.equal(verify.failureAction, 'Enforce');
    assert.equal(verify.required, true);
    const entries = (attestors: Obj[]) => attestors.flatMap((a) => a.entries);
    for (const e of entries(verify.attestors)) {
      assertSameKey(e.keys.publicKeys);
      assert.equal(e.keys.rekor.ignoreTlog, true, 'Ironclad key signatures are not in a transparency log');
      assert.equal(e.keys.ctlog.ignoreSCT, true);
    }
    const attestations: Obj[] = verify.attestations ?? [];
    assert.deepEqual(
      attestations.map((a) => a.type),
      require.includes('sbom') ? ALL : require.includes('provenance') ? [PROVENANCE] : require,
    );
    for (const a of attestations) {
      assert.equal(a.predicateType, undefined, 'the deprecated field is not used');
      assert.match(a.name, /^[a-z][a-z0-9_]*$/, 'a usable variable name');
      // Kyverno checks an attestation without attestors keyless, whatever the rule's attestors say.
      assert.ok(entries(a.attestors).length > 0);
      for (const e of entries(a.attestors)) assertSameKey(e.keys.publicKeys);
    }
  });

  test(`policy-controller ClusterImagePolicy validates against its CRD schema (require: ${require.join(',') || 'none'})`, () => {
    const images = ['registry.example.com/team/**'];
    const docs = exportDocs('sigstore-policy-controller', images, require, 'team-images');
    assert.equal(docs.length, require.length === 0 ? 1 : 2);
    for (const doc of docs) {
      assertValid(validateCip, doc);
      assert.equal(doc.apiVersion, 'policy.sigstore.dev/v1beta1');
      assert.equal(doc.kind, 'ClusterImagePolicy');
      assert.equal(doc.spec.mode, 'enforce');
      assert.deepEqual(doc.spec.images, [{ glob: images[0] }]);
      assert.equal(doc.spec.authorities.length, 1, 'one authority: any passing authority admits the image');
      const authority = doc.spec.authorities[0];
      assertSameKey(authority.key.data);
      // The webhook's own checks beyond the schema: one of key/keyless/static; attestation name and type set.
      assert.equal(authority.keyless, undefined);
      assert.equal(authority.static, undefined);
      assert.equal(authority.ctlog, undefined, 'no transparency log entry is required');
      assert.equal(authority.signatureFormat, undefined, 'legacy (tags); the bundle format is keyless-only');
    }
    const [signature, attested] = docs;
    assert.equal(signature?.metadata.name, 'team-images');
    assert.equal(signature?.spec.authorities[0].attestations, undefined, 'the signature itself is checked');
    if (attested === undefined) return;
    assert.equal(attested.metadata.name, 'team-images-attestations');
    const attestations: Obj[] = attested.spec.authorities[0].attestations;
    assert.deepEqual(
      attestations.map((a) => a.predicateType),
      require.includes('sbom') ? ALL : require.includes('provenance') ? [PROVENANCE] : require,
    );
    for (const a of attestations) assert.ok(a.name.length > 0);
    assert.equal(new Set(attestations.map((a) => a.name)).size, attestations.length, 'names are unique');
  });
}

test('the vendored schemas catch a misspelt or misplaced field (the checks above can fail)', () => {
  const [kyverno] = exportDocs('kyverno', ['r.example/x/*'], ['provenance']);
  assert.ok(kyverno);
  kyverno.spec.rules[0].verifyImages[0].imageReference = ['r.example/x/*'];
  assert.equal(validateKyverno(kyverno), false);
  const [cip] = exportDocs('sigstore-policy-controller', ['r.example/x/*'], []);
  assert.ok(cip);
  cip.spec.authorities[0].key.publicKey = 'x';
  assert.equal(validateCip(cip), false);
  const [cip2] = exportDocs('sigstore-policy-controller', ['r.example/x/*'], []);
  assert.ok(cip2);
  cip2.spec.images = [{ glob: 1 }];
  assert.equal(validateCip(cip2), false);
});

test('an export is a pure function of its input: the same YAML twice, no anchors', () => {
  const input = { name: 'p', publicKey, images: ['r.example/x/*'], require: ['provenance', 'sbom'] };
  for (const controller of ['kyverno', 'sigstore-policy-controller']) {
    const a = exportAdmissionPolicy(controller, input);
    assert.equal(a, exportAdmissionPolicy(controller, input));
    assert.doesNotMatch(a, /[&*]a\d/, 'every object reads on its own');
    assert.match(a, /\|-\n\s+-----BEGIN PUBLIC KEY-----/, 'the key is a block literal');
  }
});

test('bad input is refused as a usage error naming the field', () => {
  const base = { name: 'p', publicKey, images: ['r.example/x/*'], require: [] as string[] };
  const cases: [string, Partial<typeof base>][] = [
    ['kyverno', { name: 'Not_A_Name' }],
    ['kyverno', { images: [] }],
    ['kyverno', { images: ['*'] }],
    ['kyverno', { images: ['r.example/x/[a-z]'] }],
    ['sigstore-policy-controller', { images: ['r.example/x/?'] }],
    ['kyverno', { require: ['sboms'] }],
    ['argo', {}],
  ];
  for (const [controller, change] of cases) {
    assert.throws(
      () => exportAdmissionPolicy(controller, { ...base, ...change }),
      (err) => isIroncladError(err, 'USAGE'),
      `${controller} ${JSON.stringify(change)}`,
    );
  }
});
