import assert from 'node:assert/strict';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  attachBuildAttestations,
  generateKeyPair,
  keySigner,
  loadPrivateKey,
  writeKeyPairFiles,
} from '../../src/attest/index.ts';
import { ANNOTATION_BUNDLE_CONTENT, ANNOTATION_BUNDLE_PREDICATE_TYPE } from '../../src/attest/referrer.ts';
import { runCli } from '../../src/cli/main.ts';
import { buildImages } from '../../src/image/index.ts';
import { type Descriptor, type Digest, digestOf, LayoutStore, MAX_MANIFEST_BYTES } from '../../src/oci/index.ts';
import { captureIO } from '../support/cli-io.ts';
import { createFixtureImage, type FixtureImage } from '../support/fixture-image.ts';
import { treeSnapshot } from '../support/tree-snapshot.ts';

/**
 * `verify` names every tampered signature and attestation, even when another valid one meets the requirement,
 * and a tampered provenance is FAILED, not "missing". Verification changes nothing in the layout.
 */

const SPDX = 'https://spdx.dev/Document';
const CYCLONEDX = 'https://cyclonedx.org/bom';
const VEX = 'https://openvex.dev/ns/v0.2.0';
const CTRF = 'https://ctrf.io/report/v1';
const PROVENANCE = 'https://slsa.dev/provenance/v1';

interface Entry {
  kind: string;
  ok: boolean;
  reason?: string;
  predicateType?: string;
  platform?: string;
  referrer: string;
}
interface Report {
  schema: string;
  ok: boolean;
  entries: Entry[];
  checks: { check: string; ok: boolean; detail: string }[];
}

type Bundle = { dsseEnvelope?: { payload: string }; messageSignature?: { signature: string } };

/** Which referrer to alter: an attestation of a predicate type, or the image signature. */
type Pick = { predicateType: string } | 'signature';

function picks(pick: Pick) {
  return (r: Descriptor) =>
    pick === 'signature'
      ? r.annotations?.[ANNOTATION_BUNDLE_CONTENT] === 'message-signature'
      : r.annotations?.[ANNOTATION_BUNDLE_PREDICATE_TYPE] === pick.predicateType;
}

/** Flips one byte in the signed part of the bundle and re-links the referrer: an attacker with write access. */
async function tamperBundle(layout: string, subject: Digest, pick: Pick): Promise<void> {
  const store = await LayoutStore.open(layout);
  const referrer = (await store.referrers(subject)).find(picks(pick));
  assert.ok(referrer, `no referrer ${JSON.stringify(pick)} on ${subject}`);
  const manifest = JSON.parse(Buffer.from(await store.readBlob(referrer.digest, MAX_MANIFEST_BYTES)).toString());
  const bundle: Bundle = JSON.parse(Buffer.from(await store.readBlob(manifest.layers[0].digest, 1 << 26)).toString());
  const flip = (b64: string) => {
    const bytes = Buffer.from(b64, 'base64');
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    return bytes.toString('base64');
  };
  if (bundle.dsseEnvelope) bundle.dsseEnvelope.payload = flip(bundle.dsseEnvelope.payload);
  if (bundle.messageSignature) bundle.messageSignature.signature = flip(bundle.messageSignature.signature);
  const bytes = Buffer.from(JSON.stringify(bundle));
  await store.putBlob(bytes, { digest: digestOf(bytes), size: bytes.length });
  manifest.layers[0] = { ...manifest.layers[0], digest: digestOf(bytes), size: bytes.length };
  const mBytes = Buffer.from(JSON.stringify(manifest));
  const desc = { ...referrer, digest: digestOf(mBytes), size: mBytes.length };
  await store.putBlob(mBytes, { digest: desc.digest, size: desc.size });
  await store.updateIndex((ms) => ms.map((m) => (m.digest === referrer.digest ? desc : m)));
}

/** Overwrites the bundle blob of a referrer in place: the blob no longer matches its digest. */
async function corruptBlob(layout: string, subject: Digest, pick: Pick): Promise<void> {
  const store = await LayoutStore.open(layout);
  const referrer = (await store.referrers(subject)).find(picks(pick));
  assert.ok(referrer);
  const manifest = JSON.parse(Buffer.from(await store.readBlob(referrer.digest, MAX_MANIFEST_BYTES)).toString());
  await writeFile(store.blobPath(manifest.layers[0].digest), '{"not":"the signed bundle"}');
}

describe('verify lists every signature and attestation', () => {
  let fx: FixtureImage;
  let layout: string;
  let index: Digest;
  let manifest: Digest;

  before(async () => {
    fx = await createFixtureImage();
    layout = join(fx.dir, 'oci');
    const result = await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro, out: layout }, fx.ctx);
    index = result.images[0]!.index.digest;
    manifest = result.images[0]!.platforms[0]!.manifest.digest;
    const pair = await generateKeyPair('pw');
    await writeKeyPairFiles(join(fx.dir, 'ironclad'), pair);
    const signer = keySigner(await loadPrivateKey(pair.privateKeyPem, 'pw'));
    const predicates = [
      { type: VEX, predicate: { '@context': VEX, statements: [] } },
      { type: CTRF, predicate: { results: { tool: { name: 'ironclad' }, summary: {}, tests: [] } } },
    ];
    // Referrers only: these tests tamper with the one bundle of each kind (cosign tags have their own tests).
    await attachBuildAttestations(result, signer, fx.ctx, {
      definitionPath: 'def/image.yaml',
      predicates,
      signatureFormat: 'referrers',
    });
  });
  after(async () => fx.close());

  async function verify(dir: string, ...extra: string[]) {
    const io = captureIO(fx.dir, { IRONCLAD_HOME: fx.home });
    const before = await treeSnapshot(dir);
    const argv = ['verify', `oci:${dir}:1.0`, '--key', 'ironclad.pub', '--format', 'json', ...extra];
    const status = await runCli(argv, io);
    assert.deepEqual(await treeSnapshot(dir), before, 'verify changed nothing');
    return { status, report: JSON.parse(io.out.join('\n')) as Report, err: io.err.join('\n') };
  }

  async function copy(): Promise<string> {
    const dir = await mkdtemp(join(fx.dir, 'copy-'));
    await cp(layout, dir, { recursive: true });
    return dir;
  }

  test('an untouched image: every entry ok, json carries its schema', async () => {
    const { status, report } = await verify(layout, '--require', 'provenance,sbom,vex,tests');
    assert.equal(status, 0);
    assert.equal(report.schema, 'https://ironclad.dev/schemas/verify/v1');
    const types = report.entries.filter((e) => e.kind === 'attestation').map((e) => e.predicateType);
    assert.deepEqual(new Set(types), new Set([PROVENANCE, SPDX, CYCLONEDX, VEX, CTRF]));
    assert.equal(report.entries.filter((e) => e.kind === 'signature').length, 2);
    assert.ok(report.entries.every((e) => e.ok));
  });

  for (const type of [SPDX, CYCLONEDX, VEX, CTRF]) {
    test(`a tampered ${type} attestation fails verify (exit 3), though the requirements are met`, async () => {
      const dir = await copy();
      await tamperBundle(dir, manifest, { predicateType: type });
      const { status, report, err } = await verify(dir, '--require', 'provenance,sbom');
      assert.equal(status, 3, err);
      const failed = report.entries.filter((e) => !e.ok);
      assert.deepEqual(
        failed.map((e) => [e.kind, e.predicateType, e.reason]),
        [['attestation', type, 'bad signature']],
      );
      assert.ok(
        report.checks.every((c) => c.ok),
        'every requirement is still met',
      );
      assert.match(err, new RegExp(`FAILED attestation ${type} on linux/\\w+ sha256:[0-9a-f]{64} \\(bad signature\\)`));

      const allowed = await verify(dir, '--require', 'provenance,sbom', '--allow-invalid-extra');
      assert.equal(allowed.status, 0);
      assert.equal(allowed.report.entries.filter((e) => !e.ok).length, 1, 'still listed');
      assert.match(allowed.err, /warning: 1 FAILED/);
    });
  }

  test('a tampered index signature fails, though each platform manifest is signed itself', async () => {
    const dir = await copy();
    await tamperBundle(dir, index, 'signature');
    const { status, report, err } = await verify(dir);
    assert.equal(status, 3);
    assert.deepEqual(
      report.entries.filter((e) => !e.ok).map((e) => [e.kind, e.platform, e.reason]),
      [['signature', undefined, 'bad signature']],
    );
    assert.match(err, /FAILED signature on the index sha256:[0-9a-f]{64} \(bad signature\)/);
  });

  test('a tampered manifest signature fails, though the index signature covers the manifest', async () => {
    const dir = await copy();
    await tamperBundle(dir, manifest, 'signature');
    const { status, report, err } = await verify(dir);
    assert.equal(status, 3);
    assert.ok(report.checks.every((c) => c.ok));
    assert.deepEqual(
      report.entries.filter((e) => !e.ok).map((e) => [e.kind, e.reason]),
      [['signature', 'bad signature']],
    );
    assert.match(err, /FAILED signature on linux\/\w+ sha256:[0-9a-f]{64}/);
  });

  test('a tampered provenance is FAILED (corrupt blob), not missing', async () => {
    const dir = await copy();
    await corruptBlob(dir, manifest, { predicateType: PROVENANCE });
    const { status, report, err } = await verify(dir);
    assert.equal(status, 3);
    assert.deepEqual(
      report.entries.filter((e) => !e.ok).map((e) => [e.kind, e.reason]),
      [['unknown', 'corrupt blob']],
    );
    const check = report.checks.find((c) => c.check === 'attestation provenance')!;
    assert.equal(check.ok, false);
    assert.match(check.detail, /^FAILED: sha256:[0-9a-f]{64} \(corrupt blob: /);
    assert.doesNotMatch(check.detail, /missing/);
    assert.match(err, /attestation provenance/);
  });
});
