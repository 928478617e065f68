import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  attachBuildAttestations,
  attachSignature,
  generateKeyPair,
  keySigner,
  loadPrivateKey,
  writeKeyPairFiles,
} from '../../src/attest/index.ts';
import { runCli } from '../../src/cli/main.ts';
import { type BuildResult, buildImages } from '../../src/image/index.ts';
import { type Descriptor, digestOf, LayoutStore, layoutEndpoint, MAX_MANIFEST_BYTES } from '../../src/oci/index.ts';
import { captureIO } from '../support/cli-io.ts';
import { createFixtureImage, type FixtureImage } from '../support/fixture-image.ts';

const PROVENANCE = 'https://slsa.dev/provenance/v1';

/** Runs the CLI; returns the exit status and what was printed. */
async function cli(fx: FixtureImage, ...argv: string[]) {
  const io = captureIO(fx.dir, { IRONCLAD_HOME: fx.home, IRONCLAD_PASSWORD: 'pw' });
  const status = await runCli(argv, io);
  return { status, out: io.out.join('\n'), err: io.err.join('\n') };
}

type BundleJson = { dsseEnvelope: { payload: string; signatures: { sig: string }[] } };

/**
 * Replaces the bundle of the referrer of `subject` with predicate type `type` by `change(bundle)`, writing the
 * new bundle blob and referrer manifest and swapping the index.json entry: an attacker with write access.
 */
async function tamperAttestation(layout: string, subject: string, type: string, change: (b: BundleJson) => void) {
  const store = await LayoutStore.open(layout);
  const referrer = (await store.referrers(subject as Descriptor['digest'])).find(
    (r) => r.annotations?.['dev.sigstore.bundle.predicateType'] === type,
  );
  assert.ok(referrer, `no ${type} referrer`);
  const manifest = JSON.parse(Buffer.from(await store.readBlob(referrer.digest, MAX_MANIFEST_BYTES)).toString());
  const bundle = JSON.parse(Buffer.from(await store.readBlob(manifest.layers[0].digest, 1 << 26)).toString());
  change(bundle);
  const bundleBytes = Buffer.from(JSON.stringify(bundle));
  const bundleDigest = digestOf(bundleBytes);
  await store.putBlob(bundleBytes, { digest: bundleDigest, size: bundleBytes.length });
  manifest.layers[0] = { ...manifest.layers[0], digest: bundleDigest, size: bundleBytes.length };
  await replaceReferrer(store, referrer, manifest);
}

async function replaceReferrer(store: LayoutStore, old: Descriptor, manifest: unknown) {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const desc = { ...old, digest: digestOf(bytes), size: bytes.length };
  await store.putBlob(bytes, { digest: desc.digest, size: desc.size });
  await store.updateIndex((ms) => ms.map((m) => (m.digest === old.digest ? desc : m)));
}

function flip(b64: string, at: number): string {
  const bytes = Buffer.from(b64, 'base64');
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

describe('sign, attest and verify on an OCI layout', () => {
  let fx: FixtureImage;
  let result: BuildResult;
  let manifest: Descriptor;
  let layout: string;

  before(async () => {
    fx = await createFixtureImage();
    layout = join(fx.dir, 'oci');
    result = await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro, out: layout }, fx.ctx);
    manifest = result.images[0]!.platforms[0]!.manifest;
    const pair = await generateKeyPair('pw');
    await writeKeyPairFiles(join(fx.dir, 'ironclad'), pair);
    await writeKeyPairFiles(join(fx.dir, 'other'), await generateKeyPair('pw'));
    const signer = keySigner(await loadPrivateKey(pair.privateKeyPem, 'pw'));
    // Referrers only: these tests tamper with the one bundle of each kind (cosign tags have their own tests).
    await attachBuildAttestations(result, signer, fx.ctx, {
      definitionPath: 'def/image.yaml',
      signatureFormat: 'referrers',
    });
  });
  after(async () => fx.close());

  /** A copy of the signed layout to tamper with. */
  async function copyLayout(): Promise<string> {
    const dir = await mkdtemp(join(fx.dir, 'copy-'));
    await cp(layout, dir, { recursive: true });
    return dir;
  }

  test('a signed and attested build verifies (exit 0), text and json', async () => {
    const text = await cli(fx, 'verify', `oci:${layout}:1.0`, '--key', 'ironclad.pub');
    assert.equal(text.status, 0, text.out + text.err);
    assert.match(text.out, /verified$/);
    const json = await cli(fx, 'verify', `oci:${layout}:1.0`, '--key', 'ironclad.pub', '--format', 'json');
    assert.equal(json.status, 0);
    const report = JSON.parse(json.out);
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.checks.map((c: { check: string }) => c.check),
      [
        'index signature',
        'index attestation provenance',
        'index attestation sbom',
        'signature',
        'attestation provenance',
        'attestation sbom',
      ],
    );
  });

  test('the wrong key fails with exit 3', async () => {
    const r = await cli(fx, 'verify', `oci:${layout}:1.0`, '--key', 'other.pub');
    assert.equal(r.status, 3);
    assert.match(r.err, /signature/);
  });

  test('a required attestation that is missing fails with exit 3, naming it', async () => {
    const r = await cli(fx, 'verify', `oci:${layout}:1.0`, '--key', 'ironclad.pub', '--require', 'provenance,vex');
    assert.equal(r.status, 3);
    assert.match(r.err, /attestation vex/);
    assert.doesNotMatch(r.err, /attestation provenance/);
  });

  const tampers: [string, (b: BundleJson) => void, string][] = [
    [
      'one byte of the attestation payload',
      (b) => {
        b.dsseEnvelope.payload = flip(b.dsseEnvelope.payload, 40);
      },
      'SIGNATURE_INVALID',
    ],
    [
      'one byte of the signature',
      (b) => {
        const sig = b.dsseEnvelope.signatures[0]!;
        sig.sig = flip(sig.sig, 20);
      },
      'SIGNATURE_INVALID',
    ],
    [
      'the subject digest in the statement',
      (b) => {
        const statement = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString());
        const hex: string = statement.subject[0].digest.sha256;
        statement.subject[0].digest.sha256 = `${hex.slice(0, -1)}${hex.endsWith('0') ? '1' : '0'}`;
        b.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
      },
      'SIGNATURE_INVALID',
    ],
  ];
  for (const [what, change, code] of tampers) {
    test(`${what} changed → exit 3 naming the provenance attestation`, async () => {
      const copy = await copyLayout();
      await tamperAttestation(copy, manifest.digest, PROVENANCE, change);
      const r = await cli(fx, 'verify', `oci:${copy}:1.0`, '--key', 'ironclad.pub', '--format', 'json');
      assert.equal(r.status, 3);
      assert.match(r.err, /attestation provenance/);
      const failed = JSON.parse(r.out).checks.filter((c: { ok: boolean }) => !c.ok);
      assert.deepEqual(
        failed.map((c: { check: string; code: string }) => [c.check, c.code]),
        [['attestation provenance', code]],
      );
    });
  }

  test('an attestation copied onto another image fails (subject mismatch), though that image is signed', async () => {
    const copy = await copyLayout();
    const other = await buildImages(
      fx.loaded,
      fx.lock,
      { distroConfig: fx.archive.distro, out: copy, variant: 'dev' },
      fx.ctx,
    );
    const target = other.images[0]!.platforms[0]!.manifest;
    const store = await LayoutStore.open(copy);
    const pair = await loadPrivateKey(await readFile(join(fx.dir, 'ironclad.key')), 'pw');
    const { platform: _p, ...subject } = target;
    await attachSignature(layoutEndpoint(store.dir).referrers, subject, 'fixture', keySigner(pair));
    const provenance = (await store.referrers(manifest.digest)).find(
      (r) => r.annotations?.['dev.sigstore.bundle.predicateType'] === PROVENANCE,
    )!;
    const doc = JSON.parse(Buffer.from(await store.readBlob(provenance.digest, MAX_MANIFEST_BYTES)).toString());
    doc.subject = { mediaType: subject.mediaType, digest: subject.digest, size: subject.size };
    const bytes = Buffer.from(JSON.stringify(doc));
    await store.putBlob(bytes, { digest: digestOf(bytes), size: bytes.length });
    await store.addManifest({ ...provenance, digest: digestOf(bytes), size: bytes.length });
    const r = await cli(
      fx,
      'verify',
      `oci:${copy}:1.0-dev`,
      '--key',
      'ironclad.pub',
      '--require',
      'provenance',
      '--format',
      'json',
    );
    assert.equal(r.status, 3, r.out + r.err);
    const failed = JSON.parse(r.out).checks.filter((c: { ok: boolean }) => !c.ok);
    assert.deepEqual(
      failed.map((c: { check: string; code: string; detail: string }) => [c.check, c.code, /subject/.test(c.detail)]),
      // The other image's index was never attested; its platform manifest holds a statement about another one.
      [
        ['index attestation provenance', 'VERIFICATION_FAILED', false],
        ['attestation provenance', 'SUBJECT_MISMATCH', true],
      ],
    );
  });

  test('sign, attest, attest list and attest get --verify through the CLI', async () => {
    const copy = await copyLayout();
    const ref = `oci:${copy}:1.0`;
    assert.equal((await cli(fx, 'sign', ref, '--key', 'other.key')).status, 0);
    await writeFile(
      join(fx.dir, 'vex.json'),
      JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', statements: [] }),
    );
    const vex = 'https://openvex.dev/ns/v0.2.0';
    const a = await cli(fx, 'attest', ref, '--predicate', 'vex.json', '--type', vex, '--key', 'ironclad.key');
    assert.equal(a.status, 0, a.err);
    // The signature by the other key is listed as FAILED (wrong key) for each key unless extras are allowed.
    const both = await cli(fx, 'verify', ref, '--key', 'ironclad.pub', '--require', 'provenance,sbom,vex');
    assert.equal(both.status, 3);
    assert.match(both.out, /FAILED {2}signature on the index sha256:\S+ {2}wrong key/);
    const allow = ['--allow-invalid-extra'];
    assert.equal(
      (await cli(fx, 'verify', ref, '--key', 'ironclad.pub', '--require', 'provenance,sbom,vex', ...allow)).status,
      0,
    );
    assert.equal((await cli(fx, 'verify', ref, '--key', 'other.pub', '--require', 'none', ...allow)).status, 0);

    const list = await cli(fx, 'attest', 'list', ref);
    assert.equal(list.status, 0);
    assert.match(list.out, /DIGEST\s+SUBJECT\s+KIND\s+PREDICATE TYPE/);
    for (const t of [PROVENANCE, vex, 'https://spdx.dev/Document', 'https://cyclonedx.org/bom'])
      assert.ok(list.out.includes(t), t);

    const get = await cli(
      fx,
      'attest',
      'get',
      ref,
      '--predicate-type',
      vex,
      '--predicate',
      '--verify',
      '--key',
      'ironclad.pub',
    );
    assert.equal(get.status, 0, get.err);
    assert.deepEqual(JSON.parse(get.out).statements, []);
    const wrong = await cli(fx, 'attest', 'get', ref, '--predicate-type', vex, '--verify', '--key', 'other.pub');
    assert.equal(wrong.status, 3);
    const none = await cli(fx, 'attest', 'get', ref, '--predicate-type', 'https://example.com/no-such-predicate/v1');
    assert.equal(none.status, 2);
    assert.equal((await cli(fx, 'attest', ref, '--predicate', 'vex.json')).status, 2, 'missing --type/--key');
  });
});
