import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import {
  buildCosignManifest,
  COSIGN_SIGNATURE_ANNOTATION,
  cosignLayerDescriptor,
  cosignTag,
  cosignTagSubject,
  mergeCosignLayers,
} from '../../src/oci/cosign-tags.ts';
import { digestOf, layoutBlobStore, layoutEndpoint, REF_NAME_ANNOTATION } from '../../src/oci/index.ts';
import { appendCosignLayers } from '../../src/oci/referrers.ts';
import { file, writeTestImage } from '../support/oci-image.ts';
import { scratchDir } from '../support/scratch-dir.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const sigLayer = (payload: string, sig: string) =>
  cosignLayerDescriptor('application/vnd.dev.cosign.simplesigning.v1+json', bytes(payload), {
    [COSIGN_SIGNATURE_ANNOTATION]: sig,
  });

test('cosign tag names: sha256:<hex> ↔ sha256-<hex>.sig/.att, nothing else is one', () => {
  const digest = digestOf(bytes('image'));
  assert.equal(cosignTag(digest, '.sig'), `sha256-${digest.slice(7)}.sig`);
  assert.equal(cosignTagSubject(cosignTag(digest, '.att')), digest);
  for (const name of [
    '1.0',
    `sha256-${digest.slice(7)}`,
    `sha256-${digest.slice(7)}.sbom`,
    'sha256-abc.sig',
    undefined,
  ]) {
    assert.equal(cosignTagSubject(name), undefined, String(name));
  }
});

test('the tag manifest is a plain OCI image manifest whose config lists the layers; equal layers merge once', () => {
  const a = sigLayer('{"a":1}', 'c2lnQQ==');
  const b = sigLayer('{"b":1}', 'c2lnQg==');
  const { manifest, config } = buildCosignManifest([a, b]);
  const doc = JSON.parse(new TextDecoder().decode(manifest.bytes));
  assert.equal(doc.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(doc.subject, undefined);
  assert.equal(doc.artifactType, undefined);
  assert.deepEqual(doc.config, config.descriptor);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(config.bytes)).rootfs.diff_ids, [a.digest, b.digest]);
  assert.deepEqual(buildCosignManifest([a, b]).manifest.descriptor, manifest.descriptor, 'deterministic');

  assert.equal(mergeCosignLayers([a, b], [b]), undefined, 'nothing new');
  assert.deepEqual(mergeCosignLayers([a], [b, a, b]), [a, b]);
  // The same payload with another signature is another signature.
  const a2 = sigLayer('{"a":1}', 'b3RoZXI=');
  assert.deepEqual(mergeCosignLayers([a], [a2]), [a, a2]);
});

test('in a layout, cosign tags hang off their image: oci:DIR still names one image, gc keeps them with it', async () => {
  const dir = scratchDir('ironclad-cosign-');
  const { store, manifest } = await writeTestImage(dir, [[file('hello.txt', 'hi\n')]], 'app');
  // Untag the image so the layout holds one unnamed image, addressed as oci:DIR.
  await store.untag('app');
  await store.addManifest(manifest);
  const endpoint = layoutEndpoint(dir);
  const place = { name: dir, store: endpoint.store, requireWriter: () => endpoint.requireWriter() };
  const layer = sigLayer('{"payload":true}', 'c2ln');
  await endpoint.requireWriter().putBlob(layer, async () => Readable.from([bytes('{"payload":true}')]));
  const tag = cosignTag(manifest.digest, '.sig');
  const first = await appendCosignLayers(place, tag, [layer]);
  assert.deepEqual(await appendCosignLayers(place, tag, [layer]), first, 'appending again changes nothing');

  const only = await layoutBlobStore(dir).readManifest('');
  assert.equal(digestOf(only.bytes), manifest.digest);
  const listed = await endpoint.referrers.list(manifest.digest);
  assert.deepEqual(
    listed.map((d) => [d.digest, d.annotations?.[REF_NAME_ANNOTATION]]),
    [[first.digest, tag]],
  );
  const { removed } = await store.gc();
  assert.ok(!removed.includes(first.digest) && !removed.includes(layer.digest), 'kept with its image');
  assert.equal((await store.resolveTag(tag))?.digest, first.digest);

  // Without its image the tag goes too.
  await store.updateIndex((ms) => ms.filter((m) => m.digest !== manifest.digest));
  const gone = await store.gc();
  assert.equal(await store.resolveTag(tag), undefined);
  assert.ok(gone.removed.includes(first.digest));
});
