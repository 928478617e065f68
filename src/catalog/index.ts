/**
 * The catalog stage: every image of images/ with its catalog metadata and what the local store, the vulnerability
 * database and the referrers say about it (sizes, packages, findings after VEX, signatures, tests, provenance).
 * Reads only.
 */
export { catalogFileIds, MAX_CATALOG_FILE_BYTES } from './catalog-file.ts';
export { type CollectedCatalog, catalogDefinitions, collectCatalog } from './collect.ts';
export { consumeCommands, findEntry } from './lookup.ts';
export type {
  Catalog,
  CatalogDetails,
  CatalogEntry,
  CatalogVariant,
  Peer,
  PlatformDetails,
  PlatformSummary,
  ProvenanceSummary,
} from './model.ts';
export {
  buildVexRepository,
  VEX_REPO_ARCHIVE,
  VEX_REPO_MANIFEST,
  type VexRepoOptions,
  writeVexRepository,
} from './vex-repo.ts';
