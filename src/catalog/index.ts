/**
 * The catalog stage: every image of images/ with its catalog metadata and what the local store, the vulnerability
 * database and the referrers say about it (sizes, packages, findings after VEX, signatures, tests, provenance).
 * Reads only.
 */
export { type CatalogInput, type CollectedCatalog, collectCatalog, REFERENCE_DIR } from './collect.ts';
export { consumeCommands, findEntry } from './lookup.ts';
export type {
  BuiltVariant,
  Catalog,
  CatalogDetails,
  CatalogEntry,
  CatalogVariant,
  PlatformDetails,
  PlatformSummary,
  ProvenanceSummary,
} from './model.ts';
export { CATALOG_SCHEMA } from './model.ts';
export {
  buildVexRepository,
  imagePurl,
  VEX_REPO_ARCHIVE,
  VEX_REPO_MANIFEST,
  VEX_REPO_SPEC_VERSION,
  type VexRepoIndex,
  type VexRepoOptions,
  type VexRepository,
  writeVexRepository,
} from './vex-repo.ts';
