/**
 * Contracts of the vulnerability stage: what a scan takes (a package list and the distribution it came
 * from) and what it gives back (findings). The package list is deliberately minimal so that any
 * cataloger (an SBOM file today, an image's dpkg database later) can produce it.
 */

/** Package ecosystems a scan input may carry; only `deb` is matched against the Debian data today. */
export type PackageType = 'deb' | 'pypi' | 'npm' | 'golang';

/** One installed package, as seen by the scanner. */
export interface ScanPackage {
  /** Binary package name (`libssl3`). */
  readonly name: string;
  /** Installed binary version (`3.0.15-1~deb12u1`). */
  readonly version: string;
  readonly arch?: string;
  /** Source package name (`openssl`); Debian security data is keyed by it. Equals `name` when unknown. */
  readonly sourceName: string;
  /** Source version; differs from `version` for binNMUs (`+b1`). Equals `version` when unknown. */
  readonly sourceVersion: string;
  /** Package URL of the binary package, e.g. `pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64`. */
  readonly purl: string;
  readonly type: PackageType;
}

/** The distribution of the scanned system, from os-release (`ID`, `VERSION_ID`). */
export interface Distro {
  readonly id: string;
  readonly versionId: string;
}

/** Severity levels, highest first. `unknown` sorts below `negligible` for thresholds. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Where a finding's severity came from (documented in docs/vulnerabilities.md). */
export type SeveritySource = 'debian-urgency' | 'cvss' | 'none';

/** VEX status of a finding after `applyVex` (OpenVEX 0.2.0 status values). */
export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

/** The VEX statement that decided a finding's status, kept for `--show-suppressed` and reports. */
export interface VexDecision {
  readonly status: VexStatus;
  readonly justification?: string;
  readonly impactStatement?: string;
  readonly actionStatement?: string;
  /** Author of the document the statement came from. */
  readonly author: string;
  /** `@id` of that document. */
  readonly documentId: string;
  readonly timestamp?: string;
}

/** One vulnerability affecting one source package (all its installed binaries at once). */
export interface Finding {
  /** Primary id: a CVE id when Debian tracks one, else the advisory id (DSA/DLA/DTSA). */
  readonly id: string;
  /** Other ids for the same flaw (OSV `aliases` and `related` that name CVE/DSA/DLA/DTSA/GHSA ids). */
  readonly aliases: readonly string[];
  /** Debian source package the record is about. */
  readonly sourceName: string;
  /** Installed binary packages built from that source, sorted by name. */
  readonly packages: readonly string[];
  /** Purls of those binary packages, in the order of `packages`. */
  readonly purls: readonly string[];
  /** Installed source version compared against the record. */
  readonly installedVersion: string;
  /** First fixed version in the distribution, or null when there is no fix yet. */
  readonly fixedVersion: string | null;
  readonly severity: Severity;
  readonly severitySource: SeveritySource;
  /** Debian urgency as published (`low`, `not yet assigned`, ...), or null when the record has none. */
  readonly urgency: string | null;
  /** CVSS v3 base score when the record carries a vector. */
  readonly cvssScore: number | null;
  readonly cvssVector: string | null;
  /** OSV record ids this finding was built from (the CVE record and any DSA/DLA/DTSA naming it). */
  readonly dataSources: readonly string[];
  readonly summary: string;
  /** OSV ecosystem matched, e.g. `Debian:12`. */
  readonly ecosystem: string;
  /** Set by applyVex when a statement covers this finding. */
  readonly vex?: VexDecision;
}

/** Findings of one scan plus what could not be examined. */
export interface ScanResult {
  readonly distro: Distro;
  readonly ecosystem: string | null;
  /** Active findings: not suppressed by VEX, sorted by severity, then id, then source package. */
  readonly findings: readonly Finding[];
  /** Findings a VEX statement marked `not_affected` or `fixed`; reported only on request. */
  readonly suppressed: readonly Finding[];
  /** Packages that were looked up. */
  readonly packagesScanned: number;
  /** Packages of types or distributions the database has no data for (e.g. `npm` today). */
  readonly packagesNotCovered: number;
  /** Newest `modified` of the database, to show how fresh the data was. */
  readonly dbModified: string | null;
  /** Records the database holds for `ecosystem`; 0 means no finding could have been reported at all. */
  readonly ecosystemRecords: number;
}
