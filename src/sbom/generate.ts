import type { StageContext } from '../core/index.ts';
import { formatPlatform, type ImageFilesystem, type ImageSource, type Platform } from '../oci/index.ts';
import { catalogImage } from './catalog.ts';
import { hashFiles } from './catalogers/layer-content.ts';
import { type SbomDocument, type SbomFile, sbomFromPackages } from './model.ts';

export interface GenerateSbomOptions {
  /** Which image of a multi-platform index; default: the source's own choice (host platform or the only one). */
  readonly platform?: Platform;
  /** List every file packages own, with SHA-1 and SHA-256 (one more pass over the layers). */
  readonly files?: boolean;
  /** Creation time (ISO 8601 UTC), normally from SOURCE_DATE_EPOCH; default: the image config's `created`. */
  readonly created?: string;
  /** Image name for the document; default: derived from the reference. */
  readonly imageName?: string;
}

/**
 * A short image name from a reference as typed: transport prefix, tag and digest dropped; for a layout or an
 * archive, the last path element (a machine's directory layout does not belong in an SBOM).
 */
export function imageNameFromRef(ref: string): string {
  let s = ref.replace(/^(docker:\/\/|oci:|docker-archive:)/, '');
  s = s.replace(/@sha256:[0-9a-f]{64}$/, '');
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > slash) s = s.slice(0, colon);
  if (/^(oci|docker-archive):/.test(ref)) s = s.slice(s.lastIndexOf('/') + 1).replace(/\.tar$/, '');
  return s === '' ? 'image' : s;
}

/** Whole-second ISO 8601 UTC, as both SBOM formats expect; undefined for an unparseable time. */
function isoSeconds(d: Date): string | undefined {
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** SHA-1 and SHA-256 of the regular files packages claim (symlinks and directories have no digest to give). */
async function ownedFileDigests(fs: ImageFilesystem, paths: readonly string[]): Promise<SbomFile[]> {
  const entries = [...new Set(paths)].map((p) => fs.get(p)).filter((e) => e?.type === 'file');
  const digests = await hashFiles(fs, entries as NonNullable<(typeof entries)[number]>[]);
  return [...digests].map(([path, d]) => ({ path, ...d }));
}

/**
 * The `sbom` stage: resolves one platform's image, flattens it once (whiteouts applied), runs the catalogers and
 * builds the document. Deterministic for a given image and options: nothing depends on the clock unless the image
 * has no `created` and no time was given.
 * @throws IroncladError from resolving or reading the image (NOT_FOUND, DIGEST_MISMATCH, INVALID_INPUT, …).
 */
export async function generateSbom(
  source: ImageSource,
  opts: GenerateSbomOptions,
  ctx: StageContext,
): Promise<SbomDocument> {
  const image = await source.resolve(opts.platform);
  const config = await image.config();
  ctx.log.progress(`sbom: cataloging ${source.ref}`);
  const cat = await catalogImage(image, { log: ctx.log, withFiles: opts.files === true });
  const created = opts.created ?? (config.created !== undefined ? isoSeconds(new Date(config.created)) : undefined);
  let files: SbomFile[] | undefined;
  if (opts.files === true)
    files = await ownedFileDigests(
      cat.fs,
      cat.packages.flatMap((p) => p.files ?? []),
    );
  return sbomFromPackages(cat.packages, {
    imageName: opts.imageName ?? imageNameFromRef(source.ref),
    imageDigest: image.digest,
    platform: formatPlatform({
      os: config.os,
      architecture: config.architecture,
      ...(config.variant !== undefined && { variant: config.variant }),
    }),
    distro: cat.distro,
    created: created ?? isoSeconds(ctx.now()) ?? '1970-01-01T00:00:00Z',
    unowned: cat.unowned,
    ...(files !== undefined && { files }),
  });
}
