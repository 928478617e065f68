import { randomUUID } from 'node:crypto';
import type { StageContext } from '../core/index.ts';
import { type BuildResult, CYCLONEDX_MEDIA_TYPE, type PlatformBuild, SPDX_MEDIA_TYPE } from '../image/index.ts';
import {
  type Descriptor,
  formatPlatform,
  type ImageEndpoint,
  imageSourceFrom,
  layoutEndpoint,
  referrerSchemes,
  type SignatureFormat,
} from '../oci/index.ts';
import { generateSbom, TOOL_VERSION, writeCycloneDxJson, writeSpdxJson } from '../sbom/index.ts';
import { type TestReport, toCtrf } from '../testing/index.ts';
import { parseJsonBytes } from './encoding.ts';
import { CTRF_REPORT, CYCLONEDX_BOM, OPENVEX_V020, SLSA_PROVENANCE_V1, SPDX_DOCUMENT } from './predicates/index.ts';
import { buildProvenance } from './predicates/provenance.ts';
import { attachAttestation, attachSignature, type PredicateInput } from './publish.ts';
import type { Signer } from './signer.ts';
import { MAX_STATEMENT_BYTES } from './statement.ts';

/** The builder id of a build run on a workstation (docs/build-type.md, runDetails). */
export const LOCAL_BUILDER_ID = 'https://ironclad.dev/builder/local';

export interface BuildAttestationOptions {
  /** More predicates for every platform manifest (test reports, VEX), or a function choosing them per platform. */
  readonly predicates?: readonly PredicateInput[] | ((platform: PlatformBuild) => readonly PredicateInput[]);
  /**
   * The definition path recorded in provenance, relative to the source repository root (so a rebuild on another
   * machine finds it). Default: the path in the build result.
   */
  readonly definitionPath?: string;
  readonly builderId?: string;
  readonly source?: { readonly repository: string; readonly revision: string };
  /** Whether the image tests were skipped; `build` does not run them, so the default is true. */
  readonly noTest?: boolean;
  /** Where signatures and attestations go (default both: OCI referrers and cosign tags). */
  readonly signatureFormat?: SignatureFormat;
}

/** What was attached to one platform manifest. */
export interface AttachedPlatform {
  readonly platform: string;
  readonly manifest: Descriptor;
  readonly signature: Descriptor;
  readonly attestations: readonly { readonly predicateType: string; readonly referrer: Descriptor }[];
}

export interface AttachedImage {
  readonly name: string;
  readonly index: Descriptor;
  readonly signature: Descriptor;
  readonly platforms: readonly AttachedPlatform[];
}

/**
 * Signs every image of a build and attests each platform manifest, in the build's layout: a signature on the
 * index and on each platform manifest; on each platform manifest SLSA provenance v1 (from the lock the platform
 * was built from), the SPDX and CycloneDX SBOMs (the documents the build stored beside the image), and any
 * `extra.predicates`. Each is stored as an OCI referrer and/or in cosign's `.sig`/`.att` tags
 * (`extra.signatureFormat`); no image, index or image tag changes, so image digests are unaffected.
 * Provenance carries an invocation id and finish time from `ctx.now()`; nothing else depends on the clock.
 */
export async function attachBuildAttestations(
  result: BuildResult,
  signer: Signer,
  ctx: StageContext,
  extra: BuildAttestationOptions = {},
): Promise<AttachedImage[]> {
  const layout = layoutEndpoint(result.layout, { referrerSchemes: referrerSchemes(extra.signatureFormat ?? 'both') });
  const sink = layout.referrers;
  const invocationId = `urn:uuid:${randomUUID()}`;
  const out: AttachedImage[] = [];
  for (const image of result.images) {
    const name = image.variant.name;
    const platforms: AttachedPlatform[] = [];
    for (const p of image.platforms) {
      ctx.log.progress(`${name} ${p.platform}: signing and attesting`);
      const predicates = [
        {
          type: SLSA_PROVENANCE_V1,
          predicate: provenanceFor(result, p, invocationId, ctx, { noTest: image.testReport === undefined, ...extra }),
        },
        ...(await sbomPredicates(layout, p, ctx)),
        ...testPredicates(image.testReport, p),
        ...vexPredicates(image.vex.get(p.platform)),
        ...(typeof extra.predicates === 'function' ? extra.predicates(p) : (extra.predicates ?? [])),
      ];
      const subject = withoutPlatform(p.manifest);
      const attestations = [];
      for (const input of predicates) {
        const referrer = await attachAttestation(sink, subject, name, input, signer);
        attestations.push({ predicateType: input.type, referrer });
      }
      const signature = await attachSignature(sink, subject, name, signer);
      platforms.push({ platform: p.platform, manifest: subject, signature, attestations });
    }
    const signature = await attachSignature(sink, image.index, name, signer);
    out.push({ name, index: image.index, signature, platforms });
  }
  ctx.log.progress('');
  return out;
}

/** The OpenVEX document compiled from the image's advisories, when it has any. */
function vexPredicates(doc: unknown): PredicateInput[] {
  return doc === undefined ? [] : [{ type: OPENVEX_V020, predicate: doc }];
}

/** The CTRF report of the tests the build ran, narrowed to one platform (image-wide checks included). */
function testPredicates(report: TestReport | undefined, p: PlatformBuild): PredicateInput[] {
  if (report === undefined) return [];
  const platform = report.platforms.filter((x) => formatPlatform(x.platform) === p.platform);
  return [{ type: CTRF_REPORT, predicate: toCtrf([{ ...report, platforms: platform }], TOOL_VERSION) }];
}

/** The SLSA provenance predicate for one platform build (docs/build-type.md). */
function provenanceFor(
  result: BuildResult,
  p: PlatformBuild,
  invocationId: string,
  ctx: StageContext,
  extra: BuildAttestationOptions,
): unknown {
  return buildProvenance({
    definition: { path: extra.definitionPath ?? result.definition.path, sha256: hexOf(result.definition.digest) },
    variant: variantOf(result, p),
    platform: p.platform,
    ...(extra.source !== undefined && { source: extra.source }),
    noTest: extra.noTest ?? true,
    ...(p.compression === 'zstd' && { compression: 'zstd' as const }),
    ironcladVersion: TOOL_VERSION,
    sourceDateEpoch: p.epoch,
    suites: p.locked.suites,
    packages: p.locked.packages,
    builderId: extra.builderId ?? LOCAL_BUILDER_ID,
    invocationId,
    finishedOn: ctx.now().toISOString(),
    ...(p.base !== undefined && {
      base: {
        name: p.base.reference,
        manifestSha256: hexOf(p.base.manifest.digest),
        variant: p.base.variant,
        definition: { path: p.base.definitionFile, sha256: hexOf(p.base.definition.digest) },
        sourceDateEpoch: p.base.epoch,
        packages: p.base.packages,
      },
    }),
  });
}

function variantOf(result: BuildResult, p: PlatformBuild): string {
  const image = result.images.find((i) => i.platforms.includes(p));
  return image?.variant.variant ?? 'runtime';
}

/**
 * The SBOM predicates: the SPDX and CycloneDX documents the build stored as referrers of the manifest, so the
 * signed SBOM is byte for byte the one beside the image; generated from the image when they are missing.
 */
async function sbomPredicates(out: ImageEndpoint, p: PlatformBuild, ctx: StageContext): Promise<PredicateInput[]> {
  const stored = new Map<string, unknown>();
  for (const type of [SPDX_MEDIA_TYPE, CYCLONEDX_MEDIA_TYPE]) {
    // The last one stored wins, as a rebuild's SBOM is the newest.
    const doc = (await out.referrers.documents(p.manifest.digest, type, MAX_STATEMENT_BYTES)).at(-1);
    if (doc !== undefined) stored.set(type, parseJsonBytes(doc.bytes, `SBOM ${doc.layer.digest}`, MAX_STATEMENT_BYTES));
  }
  if (!stored.has(SPDX_MEDIA_TYPE) || !stored.has(CYCLONEDX_MEDIA_TYPE)) {
    const source = imageSourceFrom(out.store, p.manifest.digest);
    const doc = await generateSbom(source, {}, ctx);
    stored.set(SPDX_MEDIA_TYPE, JSON.parse(new TextDecoder().decode(writeSpdxJson(doc))));
    stored.set(CYCLONEDX_MEDIA_TYPE, JSON.parse(new TextDecoder().decode(writeCycloneDxJson(doc))));
  }
  return [
    { type: SPDX_DOCUMENT, predicate: stored.get(SPDX_MEDIA_TYPE) },
    { type: CYCLONEDX_BOM, predicate: stored.get(CYCLONEDX_MEDIA_TYPE) },
  ];
}

function withoutPlatform(desc: Descriptor): Descriptor {
  const { platform: _drop, ...rest } = desc;
  return rest;
}

function hexOf(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : digest;
}
