import type { StageContext } from '../core/index.ts';
import { type DbSummary, openVulnDb } from './db.ts';

/** Data older than this is flagged: Debian publishes fixes daily, a week-old DB misses real ones. */
export const STALE_AFTER_DAYS = 7;

export interface DbStatus extends DbSummary {
  /** Whole days between the newest record's `modified` and now, or null for an empty database. */
  readonly ageDays: number | null;
  readonly stale: boolean;
  /** Human-readable warnings (stale data, sources that had malformed documents). */
  readonly warnings: readonly string[];
}

/** Reads the database summary and judges its freshness against `ctx.now()`. Throws NOT_FOUND without a DB. */
export function dbStatus(ctx: StageContext): DbStatus {
  const db = openVulnDb(ctx.home);
  try {
    const summary = db.summary();
    const newest = summary.newestModified === null ? null : Date.parse(summary.newestModified);
    const ageDays = newest === null ? null : Math.max(0, Math.floor((ctx.now().getTime() - newest) / 86_400_000));
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
