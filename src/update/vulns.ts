import type { Distro } from '../debian/index.ts';
import type { LockedPackage, Lockfile } from '../definition/index.ts';
import { debPurl } from '../sbom/index.ts';
import { type Finding, type ScanPackage, type Severity, scanPackages, type VulnDb } from '../vuln/index.ts';

/** A known vulnerability an update fixes or introduces. */
export interface VulnRef {
  readonly id: string;
  readonly severity: Severity;
  /** The source package the record is about. */
  readonly source: string;
}

/** What a variant's moves do to its known vulnerabilities, across all its platforms (VEX not applied). */
export interface VulnDelta {
  /** Matched by the old lock, not by the new one. */
  readonly fixed: readonly VulnRef[];
  /** Matched by the new lock, not by the old one. */
  readonly introduced: readonly VulnRef[];
}

/**
 * Matches the variant's packages of the old and the new lock against the vulnerability database and returns the
 * difference. An image without an old lock has nothing fixed: everything it matches is "introduced".
 */
export function vulnDelta(
  db: VulnDb,
  previous: Lockfile | undefined,
  fresh: Lockfile,
  variant: string,
  distro: Distro,
): VulnDelta {
  const findings = (lock: Lockfile | undefined): Map<string, VulnRef> => {
    const found = new Map<string, VulnRef>();
    for (const f of lockFindings(db, lock, variant, distro)) found.set(keyOf(f), refOf(f));
    return found;
  };
  const before = findings(previous);
  const after = findings(fresh);
  return {
    fixed: [...before].filter(([k]) => !after.has(k)).map(([, v]) => v),
    introduced: [...after].filter(([k]) => !before.has(k)).map(([, v]) => v),
  };
}

/** What a variant's packages in `lock` match in the database, on all its platforms (VEX not applied). */
export function lockFindings(
  db: VulnDb,
  lock: Lockfile | undefined,
  variant: string,
  distro: Distro,
): readonly Finding[] {
  const scanDistro = { id: distro.osRelease.ID ?? 'debian', versionId: distro.osRelease.VERSION_ID ?? '' };
  const platforms = Object.values(lock?.variants[variant]?.platforms ?? {});
  const packages = platforms.flatMap((p) => p.packages.map((pkg) => scanPackage(pkg, scanDistro)));
  return scanPackages(packages, scanDistro, db).findings;
}

/** A record is fixed when no version of its source package in the image matches it any more. */
function keyOf(f: Finding): string {
  return `${f.id}\0${f.sourceName}`;
}

function refOf(f: Finding): VulnRef {
  return { id: f.id, severity: f.severity, source: f.sourceName };
}

function scanPackage(p: LockedPackage, distro: { id: string; versionId: string }): ScanPackage {
  return {
    name: p.name,
    version: p.version,
    arch: p.architecture,
    sourceName: p.source,
    sourceVersion: p.sourceVersion,
    purl: debPurl({
      name: p.name,
      version: p.version,
      arch: p.architecture,
      sourceName: p.source,
      sourceVersion: p.sourceVersion,
      distro: { ...distro, codename: '' },
    }),
    type: 'deb',
  };
}
