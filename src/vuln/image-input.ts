import type { StageContext } from '../core/index.ts';
import { type ImageEndpoint, type Platform, parseDigest } from '../oci/index.ts';
import { generateSbom, type SbomPackage } from '../sbom/index.ts';
import { type OpenVexDocument, parseOpenVex } from './openvex.ts';
import type { Distro, ScanPackage } from './types.ts';
import { currentVexDocuments } from './vex-versions.ts';

/** What a scan needs from an image: its packages, its distribution and the manifest digest (for VEX products). */
export interface ImageScanInput {
  readonly packages: readonly ScanPackage[];
  /** OpenVEX documents stored beside the image (referrers of its manifest), e.g. compiled advisories. */
  readonly vex: readonly { readonly digest: string; readonly document: OpenVexDocument }[];
  readonly distro: Distro | null;
  readonly imageDigest: string;
}

/**
 * Catalogs an image (any transport) with the SBOM catalogers — the same code `ironclad sbom` runs — so a scan
 * sees exactly the packages an SBOM of that image lists.
 */
export async function imageScanInput(
  endpoint: ImageEndpoint,
  platform: Platform | undefined,
  ctx: StageContext,
): Promise<ImageScanInput> {
  const doc = await generateSbom(endpoint.source, platform === undefined ? {} : { platform }, ctx);
  const vex = await attachedVex(endpoint, doc.imageDigest);
  return { packages: scanPackagesOf(doc.packages), distro: doc.distro, imageDigest: doc.imageDigest, vex };
}

/** Media type of OpenVEX documents stored as OCI referrers. */
export const OPENVEX_MEDIA_TYPE = 'application/openvex+json';

/**
 * The OpenVEX documents attached to a manifest (referrers of the OpenVEX artifact type) that are current, each with
 * the digest of the blob it was read from: of several versions of one document (same `@id`), only the highest
 * (vex-versions.ts). What `scan` of an image applies, and `compare` for each side.
 */
export async function attachedVex(endpoint: ImageEndpoint, manifestDigest: string): Promise<ImageScanInput['vex']> {
  const docs = await endpoint.referrers.documents(parseDigest(manifestDigest), OPENVEX_MEDIA_TYPE, MAX_VEX_BYTES);
  const all = docs.map(({ layer, bytes }) => ({
    digest: layer.digest,
    document: parseOpenVex(bytes, `VEX ${layer.digest}`),
  }));
  return currentVexDocuments(all, (v) => v.document);
}

/** Bytes of one attached OpenVEX document read at most. */
export const MAX_VEX_BYTES = 16 * 1024 * 1024;

/** SBOM packages → scan packages (the one conversion); the source defaults to the binary when none is named. */
export function scanPackagesOf(packages: readonly SbomPackage[]): ScanPackage[] {
  return packages.map((p) => ({
    name: p.name,
    version: p.version,
    ...(p.arch !== undefined && { arch: p.arch }),
    sourceName: p.sourceName ?? p.name,
    sourceVersion: p.sourceVersion ?? p.version,
    purl: p.purl,
    type: p.type,
  }));
}
