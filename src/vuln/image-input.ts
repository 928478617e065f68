import type { StageContext } from '../core/index.ts';
import type { ImageSource, Platform } from '../oci/index.ts';
import { generateSbom, type SbomDocument } from '../sbom/index.ts';
import type { Distro, ScanPackage } from './types.ts';

/** What a scan needs from an image: its packages, its distribution and the manifest digest (for VEX products). */
export interface ImageScanInput {
  readonly packages: readonly ScanPackage[];
  readonly distro: Distro | null;
  readonly imageDigest: string;
}

/**
 * Catalogs an image (any transport) with the SBOM catalogers — the same code `ironclad sbom` runs — so a scan
 * sees exactly the packages an SBOM of that image lists.
 */
export async function imageScanInput(
  source: ImageSource,
  platform: Platform | undefined,
  ctx: StageContext,
): Promise<ImageScanInput> {
  const doc = await generateSbom(source, platform === undefined ? {} : { platform }, ctx);
  return { packages: scanPackagesOf(doc), distro: doc.distro, imageDigest: doc.imageDigest };
}

/** SBOM packages → scan packages; the source defaults to the binary when the SBOM names none. */
export function scanPackagesOf(doc: SbomDocument): ScanPackage[] {
  return doc.packages.map((p) => ({
    name: p.name,
    version: p.version,
    ...(p.arch !== undefined && { arch: p.arch }),
    sourceName: p.sourceName ?? p.name,
    sourceVersion: p.sourceVersion ?? p.version,
    purl: p.purl,
    type: p.type,
  }));
}
