export type { Advisory } from './advisories.ts';
export { advisoriesFor, compileAdvisories, parseAdvisories } from './advisories.ts';
export { cyclonedxVexReport } from './cyclonedx-vex.ts';
export type { VulnDb } from './db.ts';
export { openVulnDb } from './db.ts';
export type { DbStatus } from './db-status.ts';
export { dbStatus, judgeScanData } from './db-status.ts';
export { attachedVex, imageScanInput, MAX_VEX_BYTES, OPENVEX_MEDIA_TYPE, scanPackagesOf } from './image-input.ts';
export type { Justification, OpenVexDocument, VexProduct, VexStatement } from './openvex.ts';
export { JUSTIFICATIONS, parseOpenVex, serializeOpenVex } from './openvex.ts';
export type { ImportResult } from './osv-import.ts';
export { importOsv, updateDb } from './osv-import.ts';
export type { ScanTarget, SeverityCounts } from './report.ts';
export {
  countBySeverity,
  countsLine,
  exceedsThreshold,
  jsonReport,
  SEVERITY_LETTERS,
  summaryLine,
  TABLE_HEADER,
  tableRows,
} from './report.ts';
export { sarifReport } from './sarif.ts';
export { parseSbomForScan } from './sbom-input.ts';
export { scan, scanPackages } from './scan.ts';
export type { ScanInput, ScanInputAccess } from './scan-input.ts';
export { resolveScanInput } from './scan-input.ts';
export type { FailOn } from './severity.ts';
export { FAIL_ON_LEVELS } from './severity.ts';
export type { Distro, Finding, ScanPackage, Severity, VexStatus } from './types.ts';
export { SEVERITIES } from './types.ts';
export type { StatementInput } from './vex-document.ts';
export { addStatement, buildStatement, createVexDocument, mergeVexDocuments, vexRows } from './vex-document.ts';
export { nextVexVersion } from './vex-versions.ts';
