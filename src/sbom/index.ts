/**
 * SBOMs: catalogers (dpkg status and status.d, Python, npm, Go binaries) → one package model → SPDX 2.3 and
 * CycloneDX 1.6 JSON. `generateSbom` reads any ImageSource; `sbomFromPackages` builds the same document from a
 * package list (the builder's path, with no image to read).
 */

export { catalogImage } from './catalog.ts';
export { supplierFromMaintainer } from './catalogers/dpkg-entry.ts';
export { hashFiles } from './catalogers/layer-content.ts';
export { writeCycloneDxJson } from './cyclonedx.ts';
export { generateSbom, imageNameFromRef } from './generate.ts';
export type { IndexSbomInput, IndexSbomPlatform } from './index-sbom.ts';
export { indexCycloneDxDocument, indexSpdxDocument } from './index-sbom.ts';
export { licensesFromCopyright, NOASSERTION } from './licenses.ts';
export type { PackageType, SbomDistro, SbomPackage } from './model.ts';
export { isoFromEpoch, sbomFromPackages } from './model.ts';
export type { Purl } from './purl.ts';
export { debPurl, ociPurl, parsePurl, purlMatches } from './purl.ts';
export { writeSpdxJson } from './spdx.ts';
export { SBOM_TABLE_HEADER, sbomSummaryLine, sbomTableRows } from './table.ts';
export { EMBEDDED_SBOM_PATH, TOOL_VERSION } from './tool.ts';
