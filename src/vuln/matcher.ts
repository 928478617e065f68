import type { Logger } from '../core/index.ts';
import type { AffectedRow, VulnDb } from './db.ts';
import { evaluateRanges, type VersionCompare } from './ranges.ts';
import { decideSeverity, severityRank } from './severity.ts';
import type { Distro, Finding, ScanPackage } from './types.ts';

/** Debian advisories (security, LTS, testing); they restate CVE records and are folded into them. */
const ADVISORY = /^(DSA|DLA|DTSA)-/;
/** Ids worth showing as aliases; OSV `related` also lists other distributions' advisories (USN, SUSE...). */
const ALIAS = /^(CVE|DSA|DLA|DTSA|GHSA)-/;

/**
 * The OSV ecosystem for a distribution: `Debian:<major>` from os-release `VERSION_ID` (`12` → `Debian:12`).
 * Null for distributions the database has no data for.
 */
export function ecosystemFor(distro: Distro): string | null {
  if (distro.id !== 'debian') return null;
  const major = /^(\d+)/.exec(distro.versionId)?.[1];
  return major === undefined ? null : `Debian:${major}`;
}

interface SourceGroup {
  readonly sourceName: string;
  readonly sourceVersion: string;
  readonly binaries: ScanPackage[];
}

/** Groups deb packages by (source name, source version): Debian data is keyed by source package. */
function groupBySource(packages: readonly ScanPackage[]): SourceGroup[] {
  const groups = new Map<string, SourceGroup>();
  for (const p of packages) {
    if (p.type !== 'deb') continue;
    const key = `${p.sourceName}\0${p.sourceVersion}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { sourceName: p.sourceName, sourceVersion: p.sourceVersion, binaries: [] };
      groups.set(key, g);
    }
    g.binaries.push(p);
  }
  return [...groups.values()];
}

function summaryOf(row: AffectedRow): string {
  if (row.summary !== '') return row.summary;
  const first = row.details.split(/\n|(?<=\.)\s/)[0] ?? '';
  return first.length > 200 ? `${first.slice(0, 197)}...` : first;
}

function toFinding(group: SourceGroup, row: AffectedRow, fixed: string | null, ecosystem: string): Finding {
  const binaries = [...group.binaries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const cvss = row.severity.filter((s) => s.type === 'CVSS_V3').map((s) => s.score);
  const sev = decideSeverity(row.urgency, cvss);
  const aliases = [...new Set([...row.aliases, ...row.related].filter((a) => ALIAS.test(a) && a !== row.recordId))];
  return {
    id: row.recordId,
    aliases: aliases.sort(),
    sourceName: group.sourceName,
    packages: [...new Set(binaries.map((b) => b.name))],
    purls: [...new Set(binaries.map((b) => b.purl))],
    installedVersion: group.sourceVersion,
    fixedVersion: fixed,
    severity: sev.severity,
    severitySource: sev.source,
    urgency: row.urgency,
    cvssScore: sev.cvssScore,
    cvssVector: sev.cvssVector,
    dataSources: [row.recordId],
    summary: summaryOf(row),
    ecosystem,
  };
}

/**
 * Folds advisory hits (DSA/DLA/DTSA) into the CVE findings they name, so one flaw is reported once:
 * the advisory id joins the CVE finding's `dataSources` and `aliases`. An advisory naming no CVE
 * that was found stays a finding of its own.
 */
function foldAdvisories(hits: readonly Finding[]): Finding[] {
  const primary = new Map(hits.filter((f) => !ADVISORY.test(f.id)).map((f) => [f.id, f]));
  const standalone: Finding[] = [];
  for (const adv of hits.filter((f) => ADVISORY.test(f.id))) {
    const targets = adv.aliases.map((a) => primary.get(a)).filter((f): f is Finding => f !== undefined);
    if (targets.length === 0) {
      standalone.push(adv);
      continue;
    }
    for (const t of targets) {
      primary.set(t.id, {
        ...t,
        aliases: [...new Set([...t.aliases, adv.id])].sort(),
        dataSources: [...t.dataSources, adv.id].sort(),
      });
    }
  }
  return [...primary.values(), ...standalone];
}

/** Sort order of findings everywhere: severity (critical first), then id, then source package. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
    (a.sourceName < b.sourceName ? -1 : a.sourceName > b.sourceName ? 1 : 0)
  );
}

/**
 * Matches Debian packages against one ecosystem of the database: by SOURCE package name, comparing
 * the installed SOURCE version with the record's ranges using `compare` (dpkg semantics for Debian).
 * Non-deb packages are ignored here (the caller counts them as not covered). Entries whose versions
 * `compare` rejects are skipped with a debug log rather than failing the scan.
 * Returns findings sorted with `compareFindings`.
 */
export function matchPackages(
  packages: readonly ScanPackage[],
  ecosystem: string,
  db: VulnDb,
  compare: VersionCompare,
  log: Logger,
): Finding[] {
  const findings: Finding[] = [];
  const rowsBySource = new Map<string, readonly AffectedRow[]>();
  for (const group of groupBySource(packages)) {
    let rows = rowsBySource.get(group.sourceName);
    if (rows === undefined) {
      rows = db.affectedFor(ecosystem, group.sourceName);
      rowsBySource.set(group.sourceName, rows);
    }
    const hits: Finding[] = [];
    for (const row of rows) {
      try {
        const verdict = evaluateRanges(group.sourceVersion, row.ranges, row.versions, compare);
        if (verdict.affected) hits.push(toFinding(group, row, verdict.fixed, ecosystem));
      } catch (err) {
        log.debug(`${row.recordId} (${group.sourceName} ${group.sourceVersion}): ${(err as Error).message}`);
      }
    }
    findings.push(...foldAdvisories(hits));
  }
  return findings.sort(compareFindings);
}
