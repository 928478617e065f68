import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { buildManifest, digestOf, MediaType, parseDigest, parseManifest } from '../../src/oci/index.ts';
import { parseImageConfig } from '../../src/oci/manifest.ts';
import { buildArtifactManifest, EMPTY_DESCRIPTOR } from '../../src/oci/manifest-build.ts';

const layer = { mediaType: MediaType.OCI_LAYER_GZIP, digest: digestOf('l'), size: 1 };

test('parseDigest accepts sha256 only', () => {
  assert.equal(parseDigest(digestOf('x')), digestOf('x'));
  for (const bad of ['sha256:abc', `sha512:${'a'.repeat(128)}`, `sha256:${'A'.repeat(64)}`, '']) {
    assert.throws(
      () => parseDigest(bad),
      (e: unknown) => isIroncladError(e, 'INVALID_INPUT'),
    );
  }
});

test('built manifests are canonical and parse back', () => {
  const m = buildManifest({ config: EMPTY_DESCRIPTOR, layers: [layer], annotations: { b: '2', a: '1' } });
  const text = new TextDecoder().decode(m.bytes);
  assert.ok(text.startsWith('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config"'));
  assert.ok(text.endsWith('"annotations":{"a":"1","b":"2"}}'));
  assert.equal(m.descriptor.digest, digestOf(m.bytes));
  const parsed = parseManifest(m.bytes);
  assert.equal(parsed.kind, 'manifest');
  const a = buildArtifactManifest({ artifactType: 'application/spdx+json', subject: m.descriptor, blobs: [layer] });
  const pa = parseManifest(a.bytes);
  assert.ok(pa.kind === 'manifest' && pa.manifest.subject?.digest === m.descriptor.digest);
  assert.equal(a.descriptor.artifactType, 'application/spdx+json');
});

test('malformed manifests and configs are INVALID_INPUT', () => {
  const bad = [
    '{',
    '[]',
    '{"schemaVersion":2,"config":{"mediaType":"x","digest":"nope","size":-1},"layers":[{}]}',
    '{"schemaVersion":1,"manifests":[]}',
  ];
  for (const b of bad) {
    assert.throws(
      () => parseManifest(new TextEncoder().encode(b)),
      (e: unknown) => isIroncladError(e, 'INVALID_INPUT'),
      b,
    );
  }
  assert.throws(
    () => parseManifest(new Uint8Array(5 * 1024 * 1024)),
    (e: unknown) => isIroncladError(e, 'INVALID_INPUT'),
  );
  assert.throws(
    () => parseImageConfig(new TextEncoder().encode('{"os":"linux"}')),
    (e: unknown) => isIroncladError(e, 'INVALID_INPUT'),
  );
});
