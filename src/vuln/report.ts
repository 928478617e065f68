import { outputSchema } from '../core/index.ts';
import { atOrAbove, type FailOn } from './severity.ts';
import { type Finding, type ScanResult, SEVERITIES, type Severity } from './types.ts';

/**
 * Renderings of a scan result that do not need a third-party schema: the summary line, the
 * per-package table rows and the JSON report (its shape is documented in docs/vulnerabilities.md
 * and versioned by `schema`; fields are only ever added).
 */

export const SCAN_REPORT_SCHEMA = outputSchema('scan-report');

/** Letters of the summary line, in SEVERITIES order. */
export const SEVERITY_LETTERS: Readonly<Record<Severity, string>> = {
  critical: 'C',
  high: 'H',
  medium: 'M',
  low: 'L',
  negligible: 'N',
  unknown: '?',
};

export type SeverityCounts = Readonly<Record<Severity, number>>;

export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** `0C 1H 5M 141L 3N 2?`: counts of active findings by severity (N = negligible, ? = unknown). */
export function summaryLine(findings: readonly Finding[]): string {
  return countsLine(countBySeverity(findings));
}

/** {@link summaryLine} of counts already made. */
export function countsLine(c: SeverityCounts): string {
  return SEVERITIES.map((s) => `${c[s]}${SEVERITY_LETTERS[s]}`).join(' ');
}

/** True when an active finding is at or above `failOn` (`--fail-on`; exit status 1). */
export function exceedsThreshold(result: ScanResult, failOn: FailOn | undefined): boolean {
  return failOn !== undefined && result.findings.some((f) => atOrAbove(f.severity, failOn));
}

/** Findings grouped by source package, groups ordered by name, findings in their scan order. */
export function groupByPackage(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of [...findings].sort((a, b) =>
    a.sourceName < b.sourceName ? -1 : a.sourceName > b.sourceName ? 1 : 0,
  )) {
    const list = groups.get(f.sourceName) ?? [];
    list.push(f);
    groups.set(f.sourceName, list);
  }
  return groups;
}

export const TABLE_HEADER = ['PACKAGE', 'VULNERABILITY', 'SEVERITY', 'INSTALLED', 'FIXED', 'STATUS'] as const;

/**
 * Table rows grouped by package: the source package and its installed binaries head each group.
 * STATUS is the VEX status when a statement applied, else `fix available` / `no fix yet`.
 */
export function tableRows(findings: readonly Finding[]): string[][] {
  const rows: string[][] = [];
  for (const [source, list] of groupByPackage(findings)) {
    list.forEach((f, i) => {
      const pkg = i === 0 ? `${source} (${f.packages.join(', ')})` : '';
      const status = f.vex?.status ?? (f.fixedVersion === null ? 'no fix yet' : 'fix available');
      rows.push([pkg, f.id, f.severity, f.installedVersion, f.fixedVersion ?? '-', status]);
    });
  }
  return rows;
}

/** What was scanned, as recorded in reports. */
export interface ScanTarget {
  /** `sbom` for an SBOM file, `image` for an image reference. */
  readonly kind: string;
  /** The reference as the user gave it. */
  readonly ref: string;
  readonly imageDigest: string | null;
}

/** The JSON report (`--format json`). Key order is fixed; arrays keep the scan's order. */
export function jsonReport(result: ScanResult, target: ScanTarget): string {
  const report = {
    schema: SCAN_REPORT_SCHEMA,
    target: { kind: target.kind, ref: target.ref, imageDigest: target.imageDigest },
    distro: { id: result.distro.id, versionId: result.distro.versionId },
    ecosystem: result.ecosystem,
    database: { newestModified: result.dbModified },
    packages: { scanned: result.packagesScanned, notCovered: result.packagesNotCovered },
    summary: {
      ...countBySeverity(result.findings),
      total: result.findings.length,
      suppressed: result.suppressed.length,
    },
    findings: result.findings.map(findingJson),
    suppressed: result.suppressed.map(findingJson),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

function findingJson(f: Finding): Record<string, unknown> {
  return {
    id: f.id,
    aliases: f.aliases,
    sourceName: f.sourceName,
    packages: f.packages,
    purls: f.purls,
    installedVersion: f.installedVersion,
    fixedVersion: f.fixedVersion,
    severity: f.severity,
    severitySource: f.severitySource,
    urgency: f.urgency,
    cvssScore: f.cvssScore,
    cvssVector: f.cvssVector,
    dataSources: f.dataSources,
    summary: f.summary,
    ecosystem: f.ecosystem,
    vex: f.vex ?? null,
  };
}
