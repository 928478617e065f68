import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertBundleLatest, bundleFromJSON } from '@sigstore/bundle';
import { type TrustMaterial, toSignedEntity, Verifier } from '@sigstore/verify';
import {
  attachBuildAttestations,
  CTRF_REPORT,
  collectEvidence,
  keySigner,
  parseProvenance,
  rebuildImage,
  SLSA_PROVENANCE_V1,
  unverifiedStatement,
  verifyImage,
} from '../../src/attest/index.ts';
import { keyFingerprint } from '../../src/attest/keys.ts';
import { CYCLONEDX_BOM, SPDX_DOCUMENT } from '../../src/attest/predicates/index.ts';
import { Home, isIroncladError } from '../../src/core/index.ts';
import { cachePath } from '../../src/debian/index.ts';
import { type BuildResult, buildImages } from '../../src/image/index.ts';
import { LayoutStore, layoutEndpoint } from '../../src/oci/index.ts';
import { createFixtureImage, type FixtureImage } from '../support/fixture-image.ts';

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

function sigstoreVerify(publicKey: KeyObject, bundle: Uint8Array, payload?: Uint8Array): void {
  const parsed = bundleFromJSON(JSON.parse(Buffer.from(bundle).toString('utf8')));
  assertBundleLatest(parsed);
  const verifier = new Verifier(trustFor(publicKey), { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  verifier.verify(toSignedEntity(parsed, payload === undefined ? undefined : Buffer.from(payload)));
}

describe('attachBuildAttestations, verifyImage and rebuildImage over a fixture build', () => {
  let fx: FixtureImage;
  let result: BuildResult;
  let store: LayoutStore;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  before(async () => {
    fx = await createFixtureImage();
    result = await buildImages(
      fx.loaded,
      fx.lock,
      // The image's definition label and the provenance name the same path, as `ironclad build` does.
      { distroConfig: fx.archive.distro, out: join(fx.dir, 'oci'), definitionPath: 'def/image.yaml' },
      fx.ctx,
    );
    await attachBuildAttestations(result, keySigner(privateKey), fx.ctx, { definitionPath: 'def/image.yaml' });
    store = await LayoutStore.open(result.layout);
  });
  after(async () => fx.close());

  const target = () => {
    const image = result.images[0]!;
    return { top: image.index, platforms: image.platforms.map((p) => p.manifest) };
  };

  test('every platform manifest and the index carry a signature, provenance, both SBOMs and the tests', async () => {
    const manifest = result.images[0]!.platforms[0]!.manifest;
    const evidence = await collectEvidence(layoutEndpoint(store.dir).referrers, manifest.digest);
    const kind = (e: (typeof evidence)[number]) =>
      e.kind === 'attestation' || e.kind === 'cosign-attestation' ? `${e.kind} ${e.predicateType}` : e.kind;
    const predicates = [CTRF_REPORT, CYCLONEDX_BOM, SLSA_PROVENANCE_V1, SPDX_DOCUMENT];
    // Both forms by default: OCI referrers (bundles) and cosign's .sig/.att tags, plus the two unsigned SBOMs.
    assert.deepEqual(
      evidence.map(kind).sort(),
      [
        ...predicates.map((p) => `attestation ${p}`),
        ...predicates.map((p) => `cosign-attestation ${p}`),
        'cosign-signature',
        'other',
        'other',
        'signature',
      ].sort(),
    );
    // The index carries its own signature and attestations, so a policy checking a multi-platform tag finds them.
    const onIndex = await collectEvidence(layoutEndpoint(store.dir).referrers, result.images[0]!.index.digest);
    assert.deepEqual(
      onIndex.map(kind).sort(),
      [
        ...predicates.map((p) => `attestation ${p}`),
        ...predicates.map((p) => `cosign-attestation ${p}`),
        'cosign-signature',
        'signature',
      ].sort(),
    );
    // The image itself is unchanged: the tag still points at the built index.
    assert.equal((await store.resolveTag('1.0'))?.digest, result.images[0]!.index.digest);
  });

  test('the provenance records a repo-relative definition, every .deb and the suites', async () => {
    const manifest = result.images[0]!.platforms[0]!;
    const evidence = await collectEvidence(layoutEndpoint(store.dir).referrers, manifest.manifest.digest);
    const e = evidence.find((x) => x.kind === 'attestation' && x.predicateType === SLSA_PROVENANCE_V1);
    assert.ok(e?.kind === 'attestation');
    const prov = parseProvenance(unverifiedStatement(e).predicate);
    assert.equal(prov.definition.path, 'def/image.yaml');
    assert.equal(`sha256:${prov.definition.sha256}`, fx.loaded.digest);
    assert.equal(prov.sourceDateEpoch, manifest.epoch);
    const debs = prov.dependencies.filter((d) => d.kind === 'package');
    assert.deepEqual(
      debs.map((d) => d.name),
      manifest.locked.packages.map((p) => p.name),
    );
    assert.ok(debs.every((d) => d.uri.startsWith(`${fx.archive.url}/pool/`) && d.size !== undefined));
    assert.equal(prov.dependencies.filter((d) => d.kind === 'suite').length, manifest.locked.suites.length);
  });

  test('the index provenance lists every platform manifest; the index SBOMs link the platform ones', async () => {
    const image = result.images[0]!;
    const onIndex = await collectEvidence(layoutEndpoint(store.dir).referrers, image.index.digest);
    const statementOf = (type: string) => {
      const e = onIndex.find((x) => x.kind === 'attestation' && x.predicateType === type);
      assert.ok(e?.kind === 'attestation', type);
      return unverifiedStatement(e);
    };
    const prov = statementOf(SLSA_PROVENANCE_V1);
    assert.deepEqual(prov.subject, [{ name: image.variant.name, digest: { sha256: image.index.digest.slice(7) } }]);
    const def = (prov.predicate as { buildDefinition: Record<string, unknown> }).buildDefinition;
    assert.equal(def.buildType, 'https://ironclad.dev/build/index/v1');
    assert.deepEqual(
      (def.externalParameters as { platforms: string[] }).platforms,
      image.platforms.map((p) => p.platform),
    );
    assert.deepEqual(
      (def.resolvedDependencies as { name: string; digest: { sha256: string } }[]).map((d) => [
        d.name,
        d.digest.sha256,
      ]),
      image.platforms.map((p) => [p.platform, p.manifest.digest.slice(7)]),
    );
    const spdx = statementOf(SPDX_DOCUMENT).predicate as { externalDocumentRefs: unknown[]; packages: unknown[] };
    assert.equal(spdx.externalDocumentRefs.length, image.platforms.length);
    assert.equal(spdx.packages.length, image.platforms.length + 1);
    const cdx = statementOf(CYCLONEDX_BOM).predicate as { metadata: { component: { version: string } } };
    assert.equal(cdx.metadata.component.version, image.index.digest);
  });

  test('verifyImage passes with the key and fails with another one', async () => {
    const sink = layoutEndpoint(store.dir).referrers;
    const ok = await verifyImage(sink, target(), publicKey, { require: ['provenance', 'sbom'] });
    assert.ok(ok.ok, JSON.stringify(ok.checks, null, 2));
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const bad = await verifyImage(sink, target(), other, { require: ['provenance'] });
    assert.equal(bad.ok, false);
    assert.ok(bad.checks.filter((c) => !c.ok).every((c) => c.code === 'SIGNATURE_INVALID'));
  });

  test('the stored bundles verify with @sigstore/verify too', async () => {
    const manifest = result.images[0]!.platforms[0]!.manifest;
    const evidence = await collectEvidence(layoutEndpoint(store.dir).referrers, manifest.digest);
    let checked = 0;
    for (const e of evidence) {
      if (e.kind === 'attestation') sigstoreVerify(publicKey, e.bundle);
      else if (e.kind === 'signature') sigstoreVerify(publicKey, e.bundle, e.payload);
      else continue;
      checked++;
    }
    assert.equal(checked, 5);
  });

  test('rebuildImage from the provenance alone gives identical digests', async () => {
    const report = await rebuildImage(
      layoutEndpoint(store.dir).referrers,
      target(),
      { repoRoot: fx.dir, publicKey, distroConfig: fx.archive.distro },
      fx.ctx,
    );
    assert.ok(report.ok, JSON.stringify(report, null, 2));
    assert.equal(report.platforms[0]?.rebuilt, result.images[0]!.platforms[0]!.manifest.digest);
  });

  test('a changed definition is reported, not rebuilt', async () => {
    const path = join(fx.dir, 'def', 'image.yaml');
    const original = await readFile(path, 'utf8');
    try {
      await writeFile(path, original.replace('FIX_MODE: test', 'FIX_MODE: other'));
      const report = await rebuildImage(
        layoutEndpoint(store.dir).referrers,
        target(),
        { repoRoot: fx.dir, publicKey, distroConfig: fx.archive.distro },
        fx.ctx,
      );
      assert.equal(report.ok, false);
      assert.equal(report.platforms[0]?.definition.matches, false);
      assert.match(report.platforms[0]?.differences[0] ?? '', /def\/image\.yaml/);
    } finally {
      await writeFile(path, original);
    }
  });

  test('a .deb changed by one byte in the cache and on the mirror is refused', async () => {
    const pkg = result.images[0]!.platforms[0]!.locked.packages[0]!;
    const cached = cachePath(new Home(fx.home), pkg.sha256);
    const pool = join(fx.archive.root, pkg.filename);
    const [cacheBytes, poolBytes] = [await readFile(cached), await readFile(pool)];
    try {
      for (const [file, bytes] of [
        [cached, cacheBytes],
        [pool, poolBytes],
      ] as const) {
        const changed = Buffer.from(bytes);
        changed[changed.length - 1] = (changed[changed.length - 1]! + 1) & 0xff;
        await writeFile(file, changed);
      }
      await assert.rejects(
        rebuildImage(
          layoutEndpoint(store.dir).referrers,
          target(),
          { repoRoot: fx.dir, publicKey, distroConfig: fx.archive.distro },
          fx.ctx,
        ),
        (err) => isIroncladError(err, 'DIGEST_MISMATCH'),
      );
    } finally {
      await writeFile(pool, poolBytes);
    }
  });

  test('rebuild refuses an image without provenance', async () => {
    const bare = await buildImages(
      fx.loaded,
      fx.lock,
      { distroConfig: fx.archive.distro, out: join(fx.dir, 'bare') },
      fx.ctx,
    );
    const image = bare.images[0]!;
    await assert.rejects(
      rebuildImage(
        layoutEndpoint(bare.layout).referrers,
        { top: image.index, platforms: image.platforms.map((p) => p.manifest) },
        { repoRoot: fx.dir, distroConfig: fx.archive.distro },
        fx.ctx,
      ),
      (err) => isIroncladError(err, 'VERIFICATION_FAILED'),
    );
  });
});
