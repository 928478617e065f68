import { type Logger, type StageContext, silentLogger } from '../core/index.ts';
import { compareVersions } from '../debian/index.ts';
import { openVulnDb, type VulnDb } from './db.ts';
import { ecosystemFor, matchPackages } from './matcher.ts';
import type { OpenVexDocument } from './openvex.ts';
import type { Distro, ScanPackage, ScanResult } from './types.ts';
import { applyVex } from './vex.ts';

export interface ScanOptions {
  /** Drop findings without a fixed version (`--ignore-unfixed`). */
  readonly ignoreUnfixed?: boolean;
  /** OpenVEX documents to apply; covered findings move to `suppressed`. */
  readonly vex?: readonly OpenVexDocument[];
  /** Manifest digest of the scanned image, so `pkg:oci/...@sha256:...` VEX products match. */
  readonly imageDigest?: string;
  readonly log?: Logger;
}

/**
 * Scans a package list: match against the database (Debian source packages only), drop unfixed
 * findings when asked, apply VEX. Pure apart from database reads; the database stays open for the
 * caller to reuse across scans.
 */
export function scanPackages(
  packages: readonly ScanPackage[],
  distro: Distro,
  db: VulnDb,
  opts: ScanOptions = {},
): ScanResult {
  const log = opts.log ?? silentLogger;
  const ecosystem = ecosystemFor(distro);
  const debs = ecosystem === null ? [] : packages.filter((p) => p.type === 'deb');
  if (ecosystem === null) log.warn(`no vulnerability data for distribution ${distro.id} ${distro.versionId}`);
  const matched = ecosystem === null ? [] : matchPackages(debs, ecosystem, db, compareVersions, log);
  const kept = opts.ignoreUnfixed ? matched.filter((f) => f.fixedVersion !== null) : matched;
  const { active, suppressed } = applyVex(
    kept,
    opts.vex ?? [],
    opts.imageDigest !== undefined ? { imageDigest: opts.imageDigest } : {},
  );
  return {
    distro,
    ecosystem,
    findings: active,
    suppressed,
    packagesScanned: packages.length,
    packagesNotCovered: packages.length - debs.length,
    dbModified: db.newestModified(),
    ecosystemRecords: ecosystem === null ? 0 : db.recordsIn(ecosystem),
  };
}

/** What `scan` scans: a package list and what is known about where it came from. */
export interface ScanRequest {
  readonly packages: readonly ScanPackage[];
  readonly distro: Distro;
  /** VEX documents to apply (attached to the image, given by the user). */
  readonly vex: readonly OpenVexDocument[];
  /** Manifest digest of the scanned image, when known, so `pkg:oci/...` VEX products match. */
  readonly imageDigest?: string;
  readonly ignoreUnfixed?: boolean;
}

/**
 * The scan stage: matches `req.packages` against the vulnerability database under the home and applies VEX. The
 * database is opened read-only for this scan and closed again. @throws NOT_FOUND when there is no database.
 */
export async function scan(req: ScanRequest, ctx: StageContext): Promise<ScanResult> {
  const db = openVulnDb(ctx.home);
  try {
    return scanPackages(req.packages, req.distro, db, {
      vex: req.vex,
      log: ctx.log,
      ...(req.ignoreUnfixed !== undefined && { ignoreUnfixed: req.ignoreUnfixed }),
      ...(req.imageDigest !== undefined && { imageDigest: req.imageDigest }),
    });
  } finally {
    db.close();
  }
}
