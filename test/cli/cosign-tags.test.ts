import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { attachBuildAttestations, keySigner, loadPrivateKey } from '../../src/attest/index.ts';
import type { BuildResult } from '../../src/image/index.ts';
import { LayoutStore } from '../../src/oci/index.ts';
import type { FixtureImage } from '../support/fixture-image.ts';
import type { RegistryServer } from '../support/registry-server.ts';
import {
  type ManifestJson,
  registryHttp,
  type SigningFixture,
  startSigningFixture,
} from '../support/signing-fixture.ts';

/*
 * cosign's classic tag layout (cosign specs/SIGNATURE_SPEC.md and ATTESTATION_SPEC.md) read back from a real
 * registry with plain HTTP and node's crypto, independently of our own reader.
 */

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const DSSE = 'application/vnd.dsse.envelope.v1+json';
const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

describe("cosign's .sig/.att tags in a real registry", () => {
  let registry: RegistryServer;
  let fx: FixtureImage;
  let result: BuildResult;

  let cli: SigningFixture['cli'];
  let signing: SigningFixture;
  const ref = (path: string) => `docker://${registry.host}/${path}`;
  const tagOf = (digest: string, suffix: string) => `${digest.replace(':', '-')}${suffix}`;

  const http = () => registryHttp(registry.host);
  const getManifest = (repo: string, reference: string) => http().getManifest(repo, reference);
  const getBlob = (repo: string, digest: string) => http().getBlob(repo, digest);
  const putBlob = (repo: string, bytes: Uint8Array) => http().putBlob(repo, bytes);
  const putManifest = (repo: string, tag: string, m: ManifestJson) => http().putManifest(repo, tag, m);

  before(async () => {
    signing = await startSigningFixture();
    ({ registry, fx, result, cli } = signing);
  });
  after(() => signing.close());

  test('sign --signature-format tags writes the documented .sig layout and no referrer', async () => {
    const image = ref('team/tags:1.0');
    assert.equal((await cli('push', 'fixture:1.0', image)).status, 0);
    const signed = await cli('sign', image, '--key', 'ironclad.key', '--signature-format', 'tags');
    assert.equal(signed.status, 0, signed.err);

    const index = result.images[0]!.index.digest;
    const publicKey = createPublicKey(await readFile(join(fx.dir, 'ironclad.pub')));
    for (const subject of [index, result.images[0]!.platforms[0]!.manifest.digest]) {
      const { manifest } = await getManifest('team/tags', tagOf(subject, '.sig'));
      assert.ok(manifest !== undefined, `no .sig tag for ${subject}`);
      assert.equal(manifest.mediaType, OCI_MANIFEST);
      assert.equal(manifest.subject, undefined);
      assert.equal(manifest.config.mediaType, 'application/vnd.oci.image.config.v1+json');
      assert.equal(manifest.layers.length, 1);
      const layer = manifest.layers[0]!;
      assert.equal(layer.mediaType, SIMPLE_SIGNING);
      const payload = await getBlob('team/tags', layer.digest);
      const doc = JSON.parse(payload.toString('utf8'));
      assert.deepEqual(doc, {
        critical: {
          identity: { 'docker-reference': `${registry.host}/team/tags` },
          image: { 'docker-manifest-digest': subject },
          type: 'cosign container image signature',
        },
        optional: {},
      });
      const signature = Buffer.from(layer.annotations?.[SIGNATURE_ANNOTATION] ?? '', 'base64');
      assert.ok(verify('sha256', payload, publicKey, signature), 'ECDSA P-256 / SHA-256 over the payload bytes');
    }
    // No OCI referrer: neither the referrers API nor the referrers tag schema's `sha256-<hex>` tag holds one.
    assert.equal((await getManifest('team/tags', index.replace(':', '-'))).status, 404);

    const ok = await cli('verify', image, '--key', 'ironclad.pub', '--require', 'none');
    assert.equal(ok.status, 0, ok.out + ok.err);
    assert.match(ok.out, /via cosign tag sha256-[0-9a-f]{64}\.sig/);
    assert.match(ok.out, /found in: cosign tags$/m);
    const wrong = await cli('verify', image, '--key', 'other.pub', '--require', 'none');
    assert.equal(wrong.status, 3);
  });

  test('a .sig payload or signature changed in the registry fails verify with exit 3, naming it', async () => {
    const image = ref('team/tampered:1.0');
    assert.equal((await cli('push', 'fixture:1.0', image)).status, 0);
    assert.equal((await cli('sign', image, '--key', 'ironclad.key', '--signature-format', 'tags')).status, 0);
    const index = result.images[0]!.index.digest;
    const tag = tagOf(index, '.sig');
    const { manifest } = await getManifest('team/tampered', tag);
    const layer = manifest!.layers[0]!;
    const payload = (await getBlob('team/tampered', layer.digest)).toString('utf8');

    // Another repository name in the payload, uploaded consistently: only the signature can tell.
    const changed = new TextEncoder().encode(payload.replace('team/tampered', 'team/elsewhere'));
    const digest = await putBlob('team/tampered', changed);
    await putManifest('team/tampered', tag, {
      ...manifest!,
      layers: [{ ...layer, digest, size: changed.length }],
    });
    const r1 = await cli('verify', image, '--key', 'ironclad.pub', '--require', 'none');
    assert.equal(r1.status, 3);
    assert.match(r1.err, new RegExp(`FAILED signature on the index sha256:[0-9a-f]{64} via cosign tag ${tag}`));
    assert.match(r1.err, /bad signature/);

    // The original payload back, with one character of the base64 signature changed.
    const sig = layer.annotations![SIGNATURE_ANNOTATION]!;
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    await putManifest('team/tampered', tag, {
      ...manifest!,
      layers: [{ ...layer, annotations: { [SIGNATURE_ANNOTATION]: flipped } }],
    });
    const r2 = await cli('verify', image, '--key', 'ironclad.pub', '--require', 'none', '--format', 'json');
    assert.equal(r2.status, 3);
    const failed = JSON.parse(r2.out).entries.filter((e: { ok: boolean }) => !e.ok);
    assert.deepEqual(
      failed.map((e: { kind: string; form: string; tag: string; code: string }) => [e.kind, e.form, e.tag, e.code]),
      [['signature', 'cosign-tag', tag, 'SIGNATURE_INVALID']],
    );
  });

  test('a build signed in the store carries both forms through push; push --signature-format filters them', async () => {
    const pair = await loadPrivateKey(await readFile(join(fx.dir, 'ironclad.key')), 'pw');
    await attachBuildAttestations(result, keySigner(pair), fx.ctx, { definitionPath: 'def/image.yaml' });
    const index = result.images[0]!.index.digest;
    const platform = result.images[0]!.platforms[0]!.manifest.digest;
    // The store keeps the tags beside the image; they are not images of their own.
    const store = await LayoutStore.open(join(fx.home, 'store'));
    assert.ok(await store.resolveTag(tagOf(index, '.sig')));
    const images = await cli('images', '--format', 'json');
    assert.doesNotMatch(images.out, /\.sig|\.att/);

    assert.equal((await cli('push', 'fixture:1.0', ref('team/both:1.0'))).status, 0);
    const att = await getManifest('team/both', tagOf(platform, '.att'));
    const types = att.manifest?.layers.map((l) => [l.mediaType, l.annotations?.predicateType]);
    assert.deepEqual(
      types?.map(([m]) => m),
      types?.map(() => DSSE),
    );
    assert.ok(types?.some(([, p]) => p === 'https://slsa.dev/provenance/v1'));
    const ok = await cli('verify', ref('team/both:1.0'), '--key', 'ironclad.pub', '--format', 'json');
    assert.equal(ok.status, 0, ok.out + ok.err);
    const forms = new Set(JSON.parse(ok.out).entries.map((e: { form: string }) => e.form));
    assert.deepEqual([...forms].sort(), ['cosign-tag', 'referrer']);

    const refsOnly = await cli('push', 'fixture:1.0', ref('team/refs:1.0'), '--signature-format', 'referrers');
    assert.equal(refsOnly.status, 0, refsOnly.err);
    assert.equal((await getManifest('team/refs', tagOf(index, '.sig'))).status, 404);
    const tagsOnly = await cli('push', 'fixture:1.0', ref('team/tagsonly:1.0'), '--signature-format', 'tags');
    assert.equal(tagsOnly.status, 0, tagsOnly.err);
    assert.equal((await getManifest('team/tagsonly', tagOf(index, '.sig'))).status, 200);
    const onlyTags = await cli('verify', ref('team/tagsonly:1.0'), '--key', 'ironclad.pub', '--format', 'json');
    assert.equal(onlyTags.status, 0, onlyTags.out + onlyTags.err);
    assert.ok(JSON.parse(onlyTags.out).entries.every((e: { form: string }) => e.form === 'cosign-tag'));
  });

  test('signatures kept only as referrers gain their cosign tag form when copied with the default format', async () => {
    const index = result.images[0]!.index.digest;
    const platform = result.images[0]!.platforms[0]!.manifest.digest;
    assert.equal((await getManifest('team/refs', tagOf(index, '.sig'))).status, 404, 'the source has no tags');
    const copied = await cli('copy', ref('team/refs:1.0'), ref('team/converted:1.0'), '--all-platforms', '--referrers');
    assert.equal(copied.status, 0, copied.err);
    for (const [subject, suffix] of [
      [index, '.sig'],
      [platform, '.sig'],
      [platform, '.att'],
    ] as const) {
      assert.equal(
        (await getManifest('team/converted', tagOf(subject, suffix))).status,
        200,
        `${suffix} of ${subject}`,
      );
    }
    const ok = await cli('verify', ref('team/converted:1.0'), '--key', 'ironclad.pub', '--format', 'json');
    assert.equal(ok.status, 0, ok.out + ok.err);
    const entries = JSON.parse(ok.out).entries as { form: string; kind: string }[];
    const count = (form: string) => entries.filter((e) => e.form === form).length;
    assert.equal(count('cosign-tag'), count('referrer'), 'every referrer has its tag twin');
    // Copying again finds every layer there already.
    const again = await cli('copy', ref('team/refs:1.0'), ref('team/converted:1.0'), '--all-platforms', '--referrers');
    assert.equal(again.status, 0, again.err);
    const sig = await getManifest('team/converted', tagOf(index, '.sig'));
    assert.equal(sig.manifest?.layers.length, 1);
  });

  test('pushing again merges the .sig tag with signatures made in the registry instead of replacing them', async () => {
    const image = ref('team/both:1.0');
    const index = result.images[0]!.index.digest;
    const before = await getManifest('team/both', tagOf(index, '.sig'));
    const signed = await cli('sign', image, '--key', 'other.key', '--signature-format', 'tags');
    assert.equal(signed.status, 0, signed.err);
    const after = await getManifest('team/both', tagOf(index, '.sig'));
    assert.equal(after.manifest?.layers.length, (before.manifest?.layers.length ?? 0) + 1);

    assert.equal((await cli('push', 'fixture:1.0', image)).status, 0);
    const again = await getManifest('team/both', tagOf(index, '.sig'));
    assert.deepEqual(again.manifest?.layers, after.manifest?.layers);
    // A copy into an OCI layout carries the tags too, and `oci:DIR:1.0` still names the image.
    const copied = await cli('copy', image, `oci:${join(fx.dir, 'copied')}:1.0`, '--all-platforms', '--referrers');
    assert.equal(copied.status, 0, copied.err);
    const layout = await LayoutStore.open(join(fx.dir, 'copied'));
    const tags = (await layout.listTags()).map((t) => t.name);
    assert.ok(tags.includes(tagOf(index, '.sig')), tags.join(', '));
    const verified = await cli('verify', 'oci:copied:1.0', '--key', 'ironclad.pub');
    assert.equal(verified.status, 3, 'the other key’s signature is listed as FAILED');
    const allowed = await cli('verify', 'oci:copied:1.0', '--key', 'ironclad.pub', '--allow-invalid-extra');
    assert.equal(allowed.status, 0, allowed.out + allowed.err);
  });

  test('--signature-format with another value is a usage error (exit 2)', async () => {
    const r = await cli('sign', ref('team/tags:1.0'), '--key', 'ironclad.key', '--signature-format', 'cosign');
    assert.equal(r.status, 2);
    assert.match(r.err, /referrers, tags, both/);
  });
});
