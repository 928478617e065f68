/**
 * SBOMs: catalogers (dpkg status and status.d, Python, npm, Go binaries) → one package model → SPDX 2.3 and
 * CycloneDX 1.6 JSON. `generateSbom` reads any ImageSource; `sbomFromPackages` builds the same document from a
 * package list (the builder's path, with no image to read).
 */

export { CATALOGERS, type CatalogOptions, catalogFilesystem, catalogImage, type ImageCatalog } from './catalog.ts';
export type { CatalogContext, Cataloger, CatalogResult } from './catalogers/cataloger.ts';
export { supplierFromMaintainer } from './catalogers/dpkg-entry.ts';
export { type GoBuildInfo, type GoModule, readGoBuildInfo } from './catalogers/go-buildinfo.ts';
export { cyclonedxDocument, writeCycloneDxJson } from './cyclonedx.ts';
export { type GenerateSbomOptions, generateSbom, imageNameFromRef } from './generate.ts';
export {
  combineLicenses,
  licenseId,
  licensesFromCopyright,
  NOASSERTION,
  normalizeExpression,
} from './licenses.ts';
export type {
  PackageType,
  SbomChecksum,
  SbomDistro,
  SbomDocument,
  SbomFile,
  SbomMeta,
  SbomPackage,
  UnownedFiles,
} from './model.ts';
export { isoFromEpoch, sbomFromPackages, UNOWNED_SAMPLE } from './model.ts';
export { parseOsRelease } from './os-release.ts';
export type { DebPurlInput, Purl } from './purl.ts';
export {
  debPurl,
  distroQualifier,
  golangPurl,
  normalizePypiName,
  npmPurl,
  ociPurl,
  parsePurl,
  purlMatches,
  pypiPurl,
} from './purl.ts';
export { spdxDocument, spdxNamespace, writeSpdxJson } from './spdx.ts';
export { SBOM_TABLE_HEADER, sbomSummaryLine, sbomTableRows } from './table.ts';
export { EMBEDDED_SBOM_PATH, TOOL_NAME, TOOL_VERSION } from './tool.ts';
