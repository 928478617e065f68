import type { Logger } from '../core/index.ts';
import { type FsEntry, flattenImage, type ImageFilesystem, type ResolvedImage } from '../oci/index.ts';
import type { CatalogContext, Cataloger, CatalogResult } from './catalogers/cataloger.ts';
import { dpkgCataloger } from './catalogers/dpkg.ts';
import { goCataloger } from './catalogers/go.ts';
import { npmCataloger } from './catalogers/npm.ts';
import { pythonCataloger } from './catalogers/python.ts';
import { type SbomDistro, type SbomPackage, UNOWNED_SAMPLE, type UnownedFiles } from './model.ts';
import { MAX_OS_RELEASE_BYTES, OS_RELEASE_PATHS, parseOsRelease } from './os-release.ts';

/** The catalogers, in the order their packages win a purl tie (STYLE.md rule 12: an explicit list). */
export const CATALOGERS: readonly Cataloger[] = [dpkgCataloger, pythonCataloger, npmCataloger, goCataloger];

export interface CatalogOptions {
  readonly withFiles?: boolean;
  readonly log: Logger;
  readonly catalogers?: readonly Cataloger[];
}

export interface ImageCatalog {
  /** The flattened filesystem the packages were found in, for further passes (file digests). */
  readonly fs: ImageFilesystem;
  readonly distro: SbomDistro | null;
  readonly packages: readonly SbomPackage[];
  readonly unowned: UnownedFiles;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function contextFor(fs: ImageFilesystem, distro: SbomDistro | null, o: CatalogOptions): CatalogContext {
  const regular = fs
    .paths()
    .map((p) => fs.entries.get(p)!)
    .filter((e) => e.type === 'file');
  return {
    fs,
    distro,
    log: o.log,
    withFiles: o.withFiles === true,
    files: (match) => regular.filter((e) => match(e.path)),
    async read(path, maxBytes) {
      const e = fs.resolve(path);
      if (e === undefined || (e.type !== 'file' && e.type !== 'hardlink')) return undefined;
      if (e.type === 'file' && e.size > maxBytes) {
        o.log.warn(`${path}: ${e.size} bytes, larger than ${maxBytes}; skipped`);
        return undefined;
      }
      return fs.readFile(path, maxBytes);
    },
  };
}

async function detectDistro(ctx: CatalogContext): Promise<SbomDistro | null> {
  for (const p of OS_RELEASE_PATHS) {
    const bytes = await ctx.read(p, MAX_OS_RELEASE_BYTES);
    if (bytes !== undefined) return parseOsRelease(new TextDecoder().decode(bytes));
  }
  return null;
}

/** Regular files neither owned by a package database nor part of one, counted (DESIGN.md: what we ship is known). */
export function unownedFiles(regular: readonly FsEntry[], results: readonly CatalogResult[]): UnownedFiles {
  let total = 0;
  const unowned: string[] = [];
  for (const e of regular) {
    if (results.some((r) => r.metadataFiles.has(e.path))) continue;
    total++;
    if (!results.some((r) => r.owned.has(e.path))) unowned.push(e.path);
  }
  return { total, unowned: unowned.length, sample: unowned.sort(byteOrder).slice(0, UNOWNED_SAMPLE) };
}

/** Runs every cataloger over an already flattened filesystem. */
export async function catalogFilesystem(fs: ImageFilesystem, o: CatalogOptions): Promise<ImageCatalog> {
  const probe = contextFor(fs, null, o);
  const distro = await detectDistro(probe);
  const ctx = contextFor(fs, distro, o);
  const results: CatalogResult[] = [];
  for (const c of o.catalogers ?? CATALOGERS) {
    o.log.debug(`sbom: running the ${c.name} cataloger`);
    results.push(await c.catalog(ctx));
  }
  return {
    fs,
    distro,
    packages: results.flatMap((r) => r.packages),
    unowned: unownedFiles(
      ctx.files(() => true),
      results,
    ),
  };
}

/**
 * Flattens an image once, capturing the metadata files the catalogers ask for, then catalogs it.
 * @throws IroncladError from reading the image (DIGEST_MISMATCH, INVALID_INPUT, HOSTILE_INPUT).
 */
export async function catalogImage(image: ResolvedImage, o: CatalogOptions): Promise<ImageCatalog> {
  const catalogers = o.catalogers ?? CATALOGERS;
  const fs = await flattenImage(image, {
    capture: (path, size) =>
      (OS_RELEASE_PATHS as readonly string[]).includes(path) || catalogers.some((c) => c.captures(path, size)),
  });
  return catalogFilesystem(fs, { ...o, catalogers });
}
