import { fail, type StageContext } from '../core/index.ts';
import type { ImageEndpoint } from '../oci/index.ts';
import { imageScanInput } from './image-input.ts';
import type { OpenVexDocument } from './openvex.ts';
import { parseSbomForScan } from './sbom-input.ts';
import type { Distro, ScanPackage } from './types.ts';

/** What `scan` scans, resolved from the user's `<input>`: the packages and what is known about their origin. */
export interface ScanInput {
  readonly kind: 'sbom' | 'image';
  readonly packages: readonly ScanPackage[];
  readonly distro: Distro | null;
  readonly imageDigest: string | null;
  /** VEX documents that came with the input (attached to an image). */
  readonly vex: readonly OpenVexDocument[];
}

/** How the caller reaches what an input names: files relative to its directory, images through its transports. */
export interface ScanInputAccess {
  fileExists(path: string): boolean;
  /** Reads a file the user named; the caller's errors (NOT_FOUND, INVALID_INPUT) say what was expected. */
  readFile(path: string): Promise<Uint8Array>;
  /** Opens an image reference as typed (skopeo transport syntax or a store name). Lazy. */
  openImage(ref: string): ImageEndpoint;
}

/** An argument written as a path (`./x`, `/x`, `~/x`) or named like an SBOM file, never an image name. */
function looksLikeFile(ref: string): boolean {
  return /^(\.{1,2}\/|\/|~)/.test(ref) || /\.(json|spdx|cdx)$/i.test(ref);
}

async function sbomInput(ref: string, access: ScanInputAccess): Promise<ScanInput> {
  const parsed = parseSbomForScan(await access.readFile(ref), ref);
  return { kind: 'sbom', packages: parsed.packages, distro: parsed.distro, imageDigest: parsed.imageDigest, vex: [] };
}

async function imageInput(ref: string, access: ScanInputAccess, ctx: StageContext): Promise<ScanInput> {
  const input = await imageScanInput(access.openImage(ref), undefined, ctx);
  for (const v of input.vex) ctx.log.info(`applying VEX attached to the image: ${v.digest.slice(0, 19)}`);
  const { packages, distro, imageDigest } = input;
  return { kind: 'image', packages, distro, imageDigest, vex: input.vex.map((v) => v.document) };
}

/**
 * Resolves `scan`'s input: an existing file is an SPDX or CycloneDX SBOM; anything written like a file that does
 * not exist is NOT_FOUND (never tried as an image name); anything else is an image reference, whose packages are
 * cataloged from its layers (as `ironclad sbom` does), with the VEX documents attached to it.
 */
export async function resolveScanInput(ref: string, access: ScanInputAccess, ctx: StageContext): Promise<ScanInput> {
  if (access.fileExists(ref)) return sbomInput(ref, access);
  if (looksLikeFile(ref)) {
    fail('NOT_FOUND', `${ref}: the file does not exist`, {
      hint: 'pass an SPDX 2.3 or CycloneDX JSON SBOM file, or an image (python:3.11, oci:DIR:TAG, docker://HOST/REPO:TAG)',
    });
  }
  return imageInput(ref, access, ctx);
}
