import {
  countBySeverity,
  type Distro,
  type OpenVexDocument,
  type ScanPackage,
  SEVERITIES,
  type SeverityCounts,
  scanPackages,
  type VulnDb,
} from '../vuln/index.ts';
import type { ImagePackage } from './image-facts.ts';
import type { VulnerabilitySummary } from './types.ts';

/** A VEX document and the name it is reported under (`attached sha256:...`, or the `--vex` file). */
export interface NamedVex {
  readonly name: string;
  readonly document: OpenVexDocument;
}

/** The VEX to apply to one image, and the manifest digest its `pkg:oci` products are matched against. */
export interface VexInput {
  readonly documents: readonly NamedVex[];
  readonly imageDigest: string;
}

/** Vulnerabilities of one image: the totals, and per binary package name the findings that touch it. */
export interface ImageVulnerabilities {
  readonly summary: VulnerabilitySummary;
  /** Null when the summary is unavailable. */
  readonly byPackage: ReadonlyMap<string, SeverityCounts> | null;
}

const zero = (): Record<(typeof SEVERITIES)[number], number> =>
  Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<(typeof SEVERITIES)[number], number>;

function unavailable(reason: string): ImageVulnerabilities {
  return { summary: { available: false, reason }, byPackage: null };
}

function toScanPackage(p: ImagePackage): ScanPackage {
  return {
    name: p.name,
    version: p.version,
    ...(p.arch !== '' && { arch: p.arch }),
    sourceName: p.sourceName,
    sourceVersion: p.sourceVersion,
    purl: p.purl,
    type: p.type,
  };
}

/**
 * Scans an image's packages against the local database. Without a database, or for an image whose
 * distribution is unknown or not covered, the result says why instead of reporting zero findings (zero
 * would read as "clean"). Findings are counted once per vulnerability and source package in the totals,
 * and once for every installed binary of that source in `byPackage`. VEX is applied by the scan itself
 * (scanPackages), so findings it suppresses are left out exactly as `ironclad scan` leaves them out.
 */
export function imageVulnerabilities(
  packages: readonly ImagePackage[],
  distro: Distro | null,
  db: VulnDb | undefined,
  vex: VexInput,
): ImageVulnerabilities {
  if (db === undefined) return unavailable('no vulnerability database; run `ironclad db update`');
  if (distro === null) return unavailable('the image has no os-release, so its distribution is unknown');
  const result = scanPackages(packages.map(toScanPackage), distro, db, {
    vex: vex.documents.map((d) => d.document),
    imageDigest: vex.imageDigest,
  });
  if (result.ecosystem === null) return unavailable(`no vulnerability data for ${distro.id} ${distro.versionId}`);
  if (result.ecosystemRecords === 0)
    return unavailable(`the vulnerability database holds no ${result.ecosystem} records`);
  const counts = countBySeverity(result.findings);
  const byPackage = new Map<string, Record<(typeof SEVERITIES)[number], number>>();
  for (const f of result.findings) {
    for (const name of new Set(f.packages)) {
      const c = byPackage.get(name) ?? zero();
      c[f.severity]++;
      byPackage.set(name, c);
    }
  }
  const summary = {
    available: true as const,
    counts,
    total: result.findings.length,
    suppressedByVex: result.suppressed.length,
    vex: vex.documents.map((d) => d.name),
  };
  return { summary, byPackage };
}

/**
 * The counts for one package of a scanned image: all zero when nothing touches it, null when the image was not
 * scanned or the database does not cover the package's ecosystem (only Debian packages are matched today).
 */
export function packageVulnerabilities(v: ImageVulnerabilities, p: ImagePackage): SeverityCounts | null {
  if (v.byPackage === null || p.type !== 'deb') return null;
  return v.byPackage.get(p.name) ?? zero();
}
