import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { collectEvidence } from '../../src/attest/evidence.ts';
import type { AttachedImage } from '../../src/attest/index.ts';
import { attachBuildAttestations, keySigner, unverifiedStatement, verifyImage } from '../../src/attest/index.ts';
import { OPENVEX_V020 } from '../../src/attest/predicates/index.ts';
import { sha256Hex } from '../../src/core/index.ts';
import { type BuildResult, buildImages } from '../../src/image/index.ts';
import { LayoutStore, layoutEndpoint } from '../../src/oci/index.ts';
import { attachedVex } from '../../src/vuln/index.ts';
import { createFixtureImage, type FixtureImage } from '../support/fixture-image.ts';

// One digest built and signed again and again: what is signed already with the key and says the same is kept,
// not signed a second time; changed advisories give the next version of the VEX document, signed beside the
// earlier one, and readers apply only the newest version.

const ADVISORIES = [
  '- {cve: CVE-2025-0001, package: fixtool, status: not_affected, justification: vulnerable_code_not_present, timestamp: "2026-01-01T00:00:00Z"}',
  '- {cve: CVE-2025-0002, package: libfix1, status: fixed, notes: fixed in 1.2-3, timestamp: "2026-01-01T00:00:00Z"}',
];

describe('rebuilding and re-attesting the same digest', () => {
  let fx: FixtureImage;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signer = keySigner(privateKey);
  const out = () => join(fx.dir, 'oci');

  before(async () => {
    fx = await createFixtureImage();
  });
  after(async () => fx.close());

  async function buildAndSign(
    advisories: readonly string[],
  ): Promise<{ result: BuildResult; attached: AttachedImage }> {
    await writeFile(join(fx.loaded.dir, 'advisories.yaml'), `${advisories.join('\n')}\n`);
    const result = await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro, out: out() }, fx.ctx);
    const [attached] = await attachBuildAttestations(result, signer, fx.ctx, { definitionPath: 'def/image.yaml' });
    assert.ok(attached !== undefined);
    return { result, attached };
  }

  /** Every referrer of the index and its platform manifests, OCI referrers and cosign tags alike. */
  async function referrers(result: BuildResult): Promise<string[]> {
    const store = await LayoutStore.open(out());
    const image = result.images[0]!;
    const all: string[] = [];
    for (const d of [image.index, ...image.platforms.map((p) => p.manifest)]) {
      for (const e of await collectEvidence(layoutEndpoint(store.dir).referrers, d.digest)) {
        // A cosign tag's manifest changes as layers are added to it: its entries are known by their own bytes.
        const id =
          e.kind === 'cosign-attestation'
            ? sha256Hex(e.envelope)
            : e.kind === 'cosign-signature'
              ? sha256Hex(e.signature)
              : e.manifest.digest;
        all.push(`${d.digest} ${e.kind} ${id} ${'predicateType' in e ? e.predicateType : ''}`);
      }
    }
    return all.sort();
  }

  const everything = (a: AttachedImage) => [
    a.signature,
    ...a.attestations,
    ...a.platforms.flatMap((p) => [p.signature, ...p.attestations]),
  ];

  test('a second identical build signs nothing new; changed advisories add one VEX version, which readers apply', async () => {
    const first = await buildAndSign(ADVISORIES);
    const before = await referrers(first.result);
    assert.ok(everything(first.attached).every((a) => !a.reused));

    // Same content: provenance and the test report differ only in their run's id and times, which do not count.
    const second = await buildAndSign(ADVISORIES);
    assert.equal(second.result.images[0]!.index.digest, first.result.images[0]!.index.digest);
    assert.ok(everything(second.attached).every((a) => a.reused));
    assert.deepEqual(await referrers(second.result), before, 'no referrer added');

    // CVE-2025-0001's verdict withdrawn, CVE-2025-0002's changed: a new VEX version; everything else is kept.
    const changed = [
      '- {cve: CVE-2025-0002, package: libfix1, status: affected, action: update libfix1, timestamp: "2026-01-01T00:00:00Z"}',
    ];
    const third = await buildAndSign(changed);
    const fresh = everything(third.attached).filter((a) => !a.reused);
    assert.ok(fresh.length > 0 && fresh.every((a) => 'predicateType' in a && a.predicateType === OPENVEX_V020));
    const after = await referrers(third.result);
    assert.ok(
      before.every((r) => after.includes(r)),
      'the earlier evidence stays attached',
    );
    const manifest = third.result.images[0]!.platforms[0]!.manifest;
    const vexOf = (rows: string[]) => rows.filter((r) => r.startsWith(manifest.digest) && / other /.test(r));
    assert.equal(vexOf(after).length, vexOf(before).length + 1, 'one more unsigned VEX document');

    // Readers: only the newest version of the document applies, so the withdrawn verdict no longer does.
    const endpoint = layoutEndpoint(out());
    const current = await attachedVex(endpoint, manifest.digest);
    assert.equal(current.length, 1);
    assert.equal(current[0]!.document.version, 2);
    assert.deepEqual(
      current[0]!.document.statements.map((s) => [s.vulnerability.name, s.status]),
      [['CVE-2025-0002', 'affected']],
    );
    // The signed VEX attested last is that version too.
    const signed = (await collectEvidence(endpoint.referrers, manifest.digest)).filter(
      (e) => e.kind === 'attestation' && e.predicateType === OPENVEX_V020,
    );
    assert.deepEqual(
      signed
        .map(
          (e) =>
            (unverifiedStatement(e as Extract<typeof e, { kind: 'attestation' }>).predicate as { version: number })
              .version,
        )
        .sort(),
      [1, 2],
    );

    // The same changed advisories again: nothing new.
    const fourth = await buildAndSign(changed);
    assert.ok(everything(fourth.attached).every((a) => a.reused));
    assert.deepEqual(await referrers(fourth.result), after);

    // Every entry still verifies: keeping signed evidence never leaves an invalid one behind.
    const image = fourth.result.images[0]!;
    const target = { top: image.index, platforms: image.platforms.map((p) => p.manifest) };
    const verdict = await verifyImage(endpoint.referrers, target, publicKey, {
      require: ['provenance', 'sbom', 'vex'],
    });
    assert.equal(verdict.ok, true);
  });

  test('evidence signed with another key does not count: that key signs its own', async () => {
    const other = keySigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    const result = await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro, out: out() }, fx.ctx);
    const [attached] = await attachBuildAttestations(result, other, fx.ctx, { definitionPath: 'def/image.yaml' });
    assert.ok(attached !== undefined && everything(attached).every((a) => !a.reused));
  });
});
