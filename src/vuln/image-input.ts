import type { StageContext } from '../core/index.ts';
import {
  type ImageSource,
  MAX_MANIFEST_BYTES,
  type Platform,
  parseDigest,
  parseManifest,
  readAll,
} from '../oci/index.ts';
import { generateSbom, type SbomDocument } from '../sbom/index.ts';
import { type OpenVexDocument, parseOpenVex } from './openvex.ts';
import type { Distro, ScanPackage } from './types.ts';

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
  source: ImageSource,
  platform: Platform | undefined,
  ctx: StageContext,
): Promise<ImageScanInput> {
  const doc = await generateSbom(source, platform === undefined ? {} : { platform }, ctx);
  const vex = await attachedVex(source, doc.imageDigest);
  return { packages: scanPackagesOf(doc), distro: doc.distro, imageDigest: doc.imageDigest, vex };
}

/** Media type of OpenVEX documents stored as OCI referrers. */
export const OPENVEX_MEDIA_TYPE = 'application/openvex+json';

/** The OpenVEX referrers of a manifest (artifact manifests whose one blob is an OpenVEX document). */
async function attachedVex(source: ImageSource, manifestDigest: string) {
  const out: { digest: string; document: OpenVexDocument }[] = [];
  for (const ref of await source.referrers(parseDigest(manifestDigest))) {
    if (ref.artifactType !== OPENVEX_MEDIA_TYPE) continue;
    const manifest = parseManifest(await readAll(await source.openBlob(ref), MAX_MANIFEST_BYTES, 'VEX referrer'));
    if (manifest.kind !== 'manifest') continue;
    for (const layer of manifest.manifest.layers.filter((l) => l.mediaType === OPENVEX_MEDIA_TYPE)) {
      const bytes = await readAll(await source.openBlob(layer), 16 * 1024 * 1024, 'VEX document');
      out.push({ digest: layer.digest, document: parseOpenVex(bytes, `VEX ${layer.digest}`) });
    }
  }
  return out;
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
