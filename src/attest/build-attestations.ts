import { randomUUID } from 'node:crypto';
import { canonicalJsonBytes, type StageContext } from '../core/index.ts';
import {
  type BaseImageRecord,
  type BuildResult,
  CYCLONEDX_MEDIA_TYPE,
  type PlatformBuild,
  SPDX_MEDIA_TYPE,
} from '../image/index.ts';
import {
  type Descriptor,
  formatPlatform,
  type ImageEndpoint,
  imageSourceFrom,
  layoutEndpoint,
  referrerSchemes,
  type SignatureFormat,
} from '../oci/index.ts';
import {
  generateSbom,
  indexCycloneDxDocument,
  indexSpdxDocument,
  isoFromEpoch,
  TOOL_VERSION,
  writeCycloneDxJson,
  writeSpdxJson,
} from '../sbom/index.ts';
import { type TestReport, toCtrf } from '../testing/index.ts';
import { parseJsonBytes } from './encoding.ts';
import {
  buildIndexProvenance,
  CTRF_REPORT,
  CYCLONEDX_BOM,
  OPENVEX_V020,
  type ProvenanceBase,
  SLSA_PROVENANCE_V1,
  SPDX_DOCUMENT,
} from './predicates/index.ts';
import { buildProvenance } from './predicates/provenance.ts';
import { type Attachment, attachAttestation, attachSignature, type PredicateInput } from './publish.ts';
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

/** One attestation attached, or found signed already (`reused`). */
export interface AttachedAttestation extends Attachment {
  readonly predicateType: string;
}

/** What was attached to one platform manifest. */
export interface AttachedPlatform {
  readonly platform: string;
  readonly manifest: Descriptor;
  readonly signature: Attachment;
  readonly attestations: readonly AttachedAttestation[];
}

export interface AttachedImage {
  readonly name: string;
  readonly index: Descriptor;
  readonly signature: Attachment;
  /** The attestations about the index itself (docs/attestations.md, "What is attached where"). */
  readonly attestations: readonly AttachedAttestation[];
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
    const sboms: PlatformSboms[] = [];
    for (const p of image.platforms) {
      ctx.log.progress(`${name} ${p.platform}: signing and attesting`);
      const sbom = await platformSboms(layout, p, ctx);
      sboms.push(sbom);
      const predicates = [
        {
          type: SLSA_PROVENANCE_V1,
          predicate: provenanceFor(result, p, invocationId, ctx, { noTest: image.testReport === undefined, ...extra }),
        },
        { type: SPDX_DOCUMENT, predicate: parseJsonBytes(sbom.spdx, 'SPDX SBOM', MAX_STATEMENT_BYTES) },
        { type: CYCLONEDX_BOM, predicate: parseJsonBytes(sbom.cyclonedx, 'CycloneDX SBOM', MAX_STATEMENT_BYTES) },
        ...testPredicates(image.testReport, p),
        ...vexPredicates(image.vex.get(p.platform)),
        ...(typeof extra.predicates === 'function' ? extra.predicates(p) : (extra.predicates ?? [])),
      ];
      const subject = withoutPlatform(p.manifest);
      const attestations = await attestAll(sink, subject, name, predicates, signer);
      const signature = await attachSignature(sink, subject, name, signer);
      platforms.push({ platform: p.platform, manifest: subject, signature, attestations });
    }
    ctx.log.progress(`${name}: signing and attesting the index`);
    const context = { name, invocationId, noTest: image.testReport === undefined, ...extra };
    const predicates = indexPredicates(result, image, sboms, context, ctx);
    const attestations = await attestAll(sink, image.index, name, predicates, signer);
    const signature = await attachSignature(sink, image.index, name, signer);
    out.push({ name, index: image.index, signature, attestations, platforms });
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
    definition: {
      path: extra.definitionPath ?? result.definition.path,
      sha256: hexOf(result.definition.digest),
      document: result.definition.document,
    },
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
    ...(p.base !== undefined && { base: provenanceBase(p.base) }),
  });
}

/** A customization's base (and its own base, down the chain) as provenance records it. */
function provenanceBase(b: BaseImageRecord): ProvenanceBase {
  return {
    name: b.reference,
    manifestSha256: hexOf(b.manifest.digest),
    variant: b.variant,
    definition: { path: b.definitionFile, sha256: hexOf(b.definition.digest) },
    sourceDateEpoch: b.epoch,
    packages: b.packages,
    ...(b.base !== undefined && { base: provenanceBase(b.base) }),
  };
}

function variantOf(result: BuildResult, p: PlatformBuild): string {
  const image = result.images.find((i) => i.platforms.includes(p));
  return image?.variant.variant ?? 'runtime';
}

/** The bytes of one platform's SPDX and CycloneDX SBOMs. */
interface PlatformSboms {
  readonly platform: PlatformBuild;
  readonly spdx: Uint8Array;
  readonly cyclonedx: Uint8Array;
}

/**
 * The SPDX and CycloneDX documents the build stored as referrers of the manifest, so the signed SBOM is byte for
 * byte the one beside the image; generated from the image when they are missing.
 */
async function platformSboms(out: ImageEndpoint, p: PlatformBuild, ctx: StageContext): Promise<PlatformSboms> {
  const stored = new Map<string, Uint8Array>();
  for (const type of [SPDX_MEDIA_TYPE, CYCLONEDX_MEDIA_TYPE]) {
    // The last one stored wins, as a rebuild's SBOM is the newest.
    const doc = (await out.referrers.documents(p.manifest.digest, type, MAX_STATEMENT_BYTES)).at(-1);
    if (doc !== undefined) stored.set(type, doc.bytes);
  }
  const spdx = stored.get(SPDX_MEDIA_TYPE);
  const cyclonedx = stored.get(CYCLONEDX_MEDIA_TYPE);
  if (spdx !== undefined && cyclonedx !== undefined) return { platform: p, spdx, cyclonedx };
  const doc = await generateSbom(imageSourceFrom(out.store, p.manifest.digest), {}, ctx);
  return { platform: p, spdx: writeSpdxJson(doc), cyclonedx: writeCycloneDxJson(doc) };
}

/** Signs and attaches each predicate about `subject`, in order. */
async function attestAll(
  sink: ImageEndpoint['referrers'],
  subject: Descriptor,
  name: string,
  predicates: readonly PredicateInput[],
  signer: Signer,
): Promise<AttachedAttestation[]> {
  const attached: AttachedAttestation[] = [];
  for (const input of predicates) {
    attached.push({ predicateType: input.type, ...(await attachAttestation(sink, subject, name, input, signer)) });
  }
  return attached;
}

/**
 * What is attested about the index, so a policy checking the digest a multi-platform tag resolves to finds it:
 * the index provenance (it lists the platform manifests), the index SBOMs (the platform images, linked to their own
 * SBOMs), the whole test report (it covers every platform), each distinct platform VEX document (OpenVEX names its
 * products, so each statement stays about the packages it names), and the fixed `extra.predicates`.
 */
function indexPredicates(
  result: BuildResult,
  image: BuildResult['images'][number],
  sboms: readonly PlatformSboms[],
  extra: BuildAttestationOptions & { readonly name: string; readonly invocationId: string },
  ctx: StageContext,
): PredicateInput[] {
  const first = image.platforms[0];
  const sbomInput = {
    imageName: extra.name,
    indexDigest: image.index.digest,
    created: isoFromEpoch(first?.epoch ?? 0),
    platforms: sboms.map((s) => ({
      platform: s.platform.platform,
      manifestDigest: s.platform.manifest.digest,
      spdx: s.spdx,
      cyclonedx: s.cyclonedx,
    })),
  };
  const vex = new Map<string, unknown>();
  for (const doc of image.vex.values()) vex.set(new TextDecoder().decode(canonicalJsonBytes(doc)), doc);
  return [
    {
      type: SLSA_PROVENANCE_V1,
      predicate: buildIndexProvenance({
        definition: { path: extra.definitionPath ?? result.definition.path, sha256: hexOf(result.definition.digest) },
        variant: image.variant.variant ?? 'runtime',
        platforms: image.platforms.map((p) => ({ ...withoutPlatform(p.manifest), platform: p.platform })),
        ...(extra.source !== undefined && { source: extra.source }),
        noTest: extra.noTest ?? true,
        ...(first?.compression === 'zstd' && { compression: 'zstd' as const }),
        ironcladVersion: TOOL_VERSION,
        sourceDateEpoch: first?.epoch ?? 0,
        builderId: extra.builderId ?? LOCAL_BUILDER_ID,
        invocationId: extra.invocationId,
        finishedOn: ctx.now().toISOString(),
      }),
    },
    { type: SPDX_DOCUMENT, predicate: indexSpdxDocument(sbomInput) },
    { type: CYCLONEDX_BOM, predicate: indexCycloneDxDocument(sbomInput) },
    ...(image.testReport === undefined
      ? []
      : [{ type: CTRF_REPORT, predicate: toCtrf([image.testReport], TOOL_VERSION) }]),
    ...[...vex.values()].map((doc) => ({ type: OPENVEX_V020, predicate: doc })),
    ...(typeof extra.predicates === 'function' ? [] : (extra.predicates ?? [])),
  ];
}

function withoutPlatform(desc: Descriptor): Descriptor {
  const { platform: _drop, ...rest } = desc;
  return rest;
}

function hexOf(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : digest;
}
