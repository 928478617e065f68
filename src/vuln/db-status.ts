import type { StageContext } from '../core/index.ts';
import { type DbSummary, openVulnDb } from './db.ts';
import type { ScanResult } from './types.ts';

/** Data older than this is flagged: Debian publishes fixes daily, a week-old DB misses real ones. */
export const STALE_AFTER_DAYS = 7;

export interface DbStatus extends DbSummary {
  /** Whole days between the newest record's `modified` and now, or null for an empty database. */
  readonly ageDays: number | null;
  readonly stale: boolean;
  /** Human-readable warnings (stale data, sources that had malformed documents). */
  readonly warnings: readonly string[];
}

/** Whole days from `newestModified` to `now`; null when there is no record (or no readable date). */
function ageInDays(newestModified: string | null, now: Date): number | null {
  const newest = newestModified === null ? Number.NaN : Date.parse(newestModified);
  return Number.isNaN(newest) ? null : Math.max(0, Math.floor((now.getTime() - newest) / 86_400_000));
}

/** Reads the database summary and judges its freshness against `ctx.now()`. Throws NOT_FOUND without a DB. */
export function dbStatus(ctx: StageContext): DbStatus {
  const db = openVulnDb(ctx.home);
  try {
    const summary = db.summary();
    const ageDays = ageInDays(summary.newestModified, ctx.now());
    const stale = ageDays === null || ageDays > STALE_AFTER_DAYS;
    const warnings: string[] = [];
    if (ageDays === null) warnings.push('the database holds no records');
    else if (stale)
      warnings.push(`newest record is ${ageDays} days old (over ${STALE_AFTER_DAYS}); run \`ironclad db update\``);
    for (const s of summary.sources) {
      if (s.skipped > 0) warnings.push(`${s.skipped} malformed document(s) were skipped from ${s.url}`);
    }
    return { ...summary, ageDays, stale, warnings };
  } finally {
    db.close();
  }
}

/** Whether a scan's result means anything, judged from the data it was matched against. */
export interface ScanDataVerdict {
  /** False when the database had no record at all for the scanned distribution: "0 findings" proves nothing. */
  readonly judgeable: boolean;
  /** What the user must hear about the data (no data, stale data); empty when all is well. */
  readonly warnings: readonly string[];
}

/**
 * A scanner must not fail open: an empty database, or one without the scanned distribution, reports zero
 * findings for anything. That case is not judgeable (callers make `--fail-on` fail); stale data is judgeable
 * but is said loudly, since fixes published since are missing.
 */
export function judgeScanData(
  result: Pick<ScanResult, 'distro' | 'ecosystem' | 'ecosystemRecords' | 'dbModified'>,
  now: Date,
): ScanDataVerdict {
  const { distro, ecosystem } = result;
  if (ecosystem === null) {
    return {
      judgeable: false,
      warnings: [`no vulnerability data exists for ${distro.id} ${distro.versionId}: the scan cannot find anything`],
    };
  }
  if (result.ecosystemRecords === 0) {
    return {
      judgeable: false,
      warnings: [
        `the vulnerability database holds no ${ecosystem} records: 0 findings means nothing; run \`ironclad db update\``,
      ],
    };
  }
  const age = ageInDays(result.dbModified, now);
  if (age === null || age <= STALE_AFTER_DAYS) return { judgeable: true, warnings: [] };
  return {
    judgeable: true,
    warnings: [
      `the vulnerability database is stale: its newest record is ${age} days old (over ${STALE_AFTER_DAYS}); fixes and CVEs published since are missing; run \`ironclad db update\``,
    ],
  };
}
