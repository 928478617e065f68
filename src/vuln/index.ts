export type { Advisory, CompileAdvisoriesInput } from './advisories.ts';
export { compileAdvisories, parseAdvisories } from './advisories.ts';
export type { CvssV3 } from './cvss.ts';
export { cvssRating, parseCvssV3 } from './cvss.ts';
export { cyclonedxVexReport } from './cyclonedx-vex.ts';
export type { AffectedRow, DbSummary, SourceRow, VulnDb } from './db.ts';
export { openVulnDb } from './db.ts';
export type { DbStatus, ScanDataVerdict } from './db-status.ts';
export { dbStatus, judgeScanData, STALE_AFTER_DAYS } from './db-status.ts';
export { type ImageScanInput, imageScanInput, OPENVEX_MEDIA_TYPE, scanPackagesOf } from './image-input.ts';
export { compareFindings, ecosystemFor, matchPackages } from './matcher.ts';
export type {
  Justification,
  OpenVexDocument,
  VexIdentifiers,
  VexProduct,
  VexStatement,
  VexSubcomponent,
  VexVulnerability,
} from './openvex.ts';
export { assertOpenVex, JUSTIFICATIONS, OPENVEX_CONTEXT, parseOpenVex, serializeOpenVex } from './openvex.ts';
export type { ArchiveKind } from './osv-archive.ts';
export type { ImportOptions, ImportResult } from './osv-import.ts';
export { configuredSources, DEFAULT_OSV_SOURCE, importOsv, MIN_KEPT_FRACTION, updateDb } from './osv-import.ts';
export type { OsvRecord, ParsedRecord } from './osv-record.ts';
export { parseOsvBytes } from './osv-record.ts';
export type { RangeVerdict, VersionCompare } from './ranges.ts';
export { evaluateRanges } from './ranges.ts';
export type { ScanTarget, SeverityCounts } from './report.ts';
export {
  countBySeverity,
  countsLine,
  exceedsThreshold,
  groupByPackage,
  jsonReport,
  SCAN_REPORT_SCHEMA,
  SEVERITY_LETTERS,
  summaryLine,
  TABLE_HEADER,
  tableRows,
} from './report.ts';
export { sarifReport } from './sarif.ts';
export type { SbomScanInput } from './sbom-input.ts';
export { packageFromPurl, parseSbomForScan } from './sbom-input.ts';
export type { ScanOptions, ScanRequest } from './scan.ts';
export { scan, scanPackages } from './scan.ts';
export type { FailOn, SeverityDecision } from './severity.ts';
export { atOrAbove, decideSeverity, FAIL_ON_LEVELS, normalizeUrgency } from './severity.ts';
export type {
  Distro,
  Finding,
  PackageType,
  ScanPackage,
  ScanResult,
  Severity,
  SeveritySource,
  VexDecision,
  VexStatus,
} from './types.ts';
export { SEVERITIES } from './types.ts';
export type { VexOutcome, VexTarget } from './vex.ts';
export { applyVex } from './vex.ts';
export type { DocumentInput, StatementInput } from './vex-document.ts';
export {
  addStatement,
  buildStatement,
  createVexDocument,
  mergeVexDocuments,
  vexRows,
  vexTime,
} from './vex-document.ts';
