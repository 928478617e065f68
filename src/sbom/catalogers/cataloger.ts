import type { Logger } from '../../core/index.ts';
import type { FsEntry, ImageFilesystem } from '../../oci/index.ts';
import type { SbomDistro, SbomPackage } from '../model.ts';

/** What a cataloger is given: the flattened image, what is known about it, and bounded file access. */
export interface CatalogContext {
  readonly fs: ImageFilesystem;
  readonly distro: SbomDistro | null;
  readonly log: Logger;
  /** Whether packages should list their files (`--files`). */
  readonly withFiles: boolean;
  /**
   * A regular file's content (symlinks followed), from the capture made while flattening when there is one;
   * undefined when the path is missing, not a file, or larger than `maxBytes` (logged as a warning): one odd
   * file in a foreign image must not cost the whole SBOM.
   */
  read(path: string, maxBytes: number): Promise<Uint8Array | undefined>;
  /** Regular files whose path matches, in byte order of path. */
  files(match: (path: string) => boolean): FsEntry[];
}

export interface CatalogResult {
  readonly packages: readonly SbomPackage[];
  /** Image paths (as in the flattened filesystem) the package database says the packages own. */
  readonly owned: ReadonlySet<string>;
  /** The database's own files (status, .list, METADATA…): neither owned nor unowned. */
  readonly metadataFiles: ReadonlySet<string>;
}

/**
 * One kind of package database (STYLE.md rule 12: a small role, wired in an explicit list in catalog.ts).
 * `captures` is asked for every regular file while the image is flattened, so the metadata a cataloger needs is
 * read in the same single pass over the layers.
 */
export interface Cataloger {
  readonly name: string;
  captures(path: string, size: number): boolean;
  catalog(ctx: CatalogContext): Promise<CatalogResult>;
}

export const EMPTY_RESULT: CatalogResult = { packages: [], owned: new Set(), metadataFiles: new Set() };

export const decoder = new TextDecoder('utf-8', { fatal: false });
