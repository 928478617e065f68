import { isIroncladError, type Logger } from '../core/index.ts';
import type { Platform } from '../oci/index.ts';
import {
  formatPlatform,
  type ImageConfig,
  type ImageFilesystem,
  type ImageSource,
  namedTag,
  parseImageRef,
} from '../oci/index.ts';
import { catalogImage, type PackageType, type SbomPackage } from '../sbom/index.ts';
import type { Distro } from '../vuln/index.ts';
import { collectAttackSurface, MAX_PASSWD_BYTES } from './attack-surface.ts';
import type { AttackSurface, Provenance } from './types.ts';

/** One package found in an image, by any cataloger of the SBOM stage (dpkg, Python, npm, Go). */
export interface ImagePackage {
  readonly type: PackageType;
  readonly name: string;
  readonly version: string;
  /** Empty when the ecosystem has no architecture (Python, npm, Go modules). */
  readonly arch: string;
  /** Source package (Debian); the name itself elsewhere. */
  readonly sourceName: string;
  readonly sourceVersion: string;
  readonly purl: string;
}

/** Everything the comparison needs from one image, read in a single pass over its layers. */
export interface ImageFacts {
  readonly ref: string;
  readonly digest: string;
  readonly manifestDigest: string;
  readonly tag: string | null;
  readonly platform: string;
  readonly config: ImageConfig;
  readonly compressedSize: number;
  readonly layers: number;
  readonly packages: readonly ImagePackage[];
  readonly distro: Distro | null;
  readonly surface: AttackSurface;
  /** The flattened filesystem, for the file delta. */
  readonly fs: ImageFilesystem;
}

const PASSWD = 'etc/passwd';

/** /etc/passwd's text, or undefined when the image lacks it; other errors propagate. */
async function readPasswd(fs: ImageFilesystem): Promise<string | undefined> {
  if (fs.resolve(PASSWD) === undefined) return undefined;
  try {
    return new TextDecoder().decode(await fs.readFile(PASSWD, MAX_PASSWD_BYTES));
  } catch (err) {
    if (isIroncladError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}

function imagePackage(p: SbomPackage): ImagePackage {
  return {
    type: p.type,
    name: p.name,
    version: p.version,
    arch: p.arch ?? '',
    sourceName: p.sourceName ?? p.name,
    sourceVersion: p.sourceVersion ?? p.version,
    purl: p.purl,
  };
}

/** The tag the user named, from the reference as the source displays it; null for digests and archives. */
function tagOf(ref: string): string | null {
  try {
    return namedTag(parseImageRef(ref)) ?? null;
  } catch {
    return null;
  }
}

/**
 * Reads one image's facts: resolves the platform, reads the config, and catalogs the image with the SBOM stage
 * (one pass over the layers, which also yields the flattened filesystem for the attack surface).
 * @throws IroncladError from the source (NOT_FOUND, DIGEST_MISMATCH, ...), INVALID_INPUT for a malformed
 *   /etc/passwd or package database, HOSTILE_INPUT for layer paths escaping the root.
 */
export async function readImageFacts(
  source: ImageSource,
  platform: Platform | undefined,
  log: Logger,
): Promise<ImageFacts> {
  const image = await source.resolve(platform);
  const top = await source.top();
  const config = await image.config();
  const catalog = await catalogImage(image, { log });
  const layers = image.layers();
  return {
    ref: source.ref,
    digest: top.desc.digest,
    manifestDigest: image.digest,
    tag: tagOf(source.ref),
    platform: formatPlatform({
      os: config.os,
      architecture: config.architecture,
      ...(config.variant !== undefined && { variant: config.variant }),
    }),
    config,
    compressedSize: layers.reduce((n, l) => n + l.desc.size, 0),
    layers: layers.length,
    packages: catalog.packages.map(imagePackage),
    distro: catalog.distro === null ? null : { id: catalog.distro.id, versionId: catalog.distro.versionId },
    surface: collectAttackSurface(catalog.fs, await readPasswd(catalog.fs)),
    fs: catalog.fs,
  };
}

/** Provenance labels of a config (OCI annotations spec, pre-defined keys; `dev.ironclad.*` are ours). */
export function provenanceOf(labels: Readonly<Record<string, string>>): Provenance | null {
  const ironclad = Object.fromEntries(
    Object.entries(labels)
      .filter(([k]) => k.startsWith('dev.ironclad.'))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  const source = labels['org.opencontainers.image.source'] ?? null;
  const revision = labels['org.opencontainers.image.revision'] ?? null;
  if (source === null && revision === null && Object.keys(ironclad).length === 0) return null;
  return { source, revision, ironclad };
}
