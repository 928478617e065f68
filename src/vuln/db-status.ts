import type { StageContext } from '../core/index.ts';
import { type DbSummary, openVulnDb } from './db.ts';
import { DEFAULT_OSV_SOURCE } from './osv-import.ts';
import type { ScanResult } from './types.ts';

/** Data older than this is flagged: Debian publishes fixes daily, a week-old DB misses real ones. */
export const STALE_AFTER_DAYS = 7;

/** Where the current data came from: one entry per source of the import that built the database. */
export interface DataOrigin {
  /** The URL, file or directory, as given. */
  readonly source: string;
  readonly kind: 'url' | 'file' | 'dir';
  /** The container read: zip, tar, tar.gz, tar.xz or dir. */
  readonly format: string;
  readonly importedAt: string;
  /** Whole days since it was imported (fetched, for a URL). */
  readonly importedDaysAgo: number | null;
}

export interface DbStatus extends DbSummary {
  /** Whole days between the newest record's `modified` and now, or null for an empty database. */
  readonly ageDays: number | null;
  readonly origin: readonly DataOrigin[];
  /** What the next `db update` fetches, and whether that is the default (no `--source` was ever chosen). */
  readonly nextUpdate: { readonly sources: readonly string[]; readonly isDefault: boolean };
  readonly stale: boolean;
  /** Human-readable warnings (stale data, sources that had malformed documents). */
  readonly warnings: readonly string[];
}

/** Whole days from `newestModified` to `now`; null when there is no record (or no readable date). */
function ageInDays(newestModified: string | null, now: Date): number | null {
  const newest = newestModified === null ? Number.NaN : Date.parse(newestModified);
  return Number.isNaN(newest) ? null : Math.max(0, Math.floor((now.getTime() - newest) / 86_400_000));
}

/** A `sources` row's kind is the container (`zip`, `dir`...), prefixed `url:` when it was downloaded. */
function originOf(row: DbSummary['sources'][number], now: Date): DataOrigin {
  const remote = row.kind.startsWith('url:');
  const format = remote ? row.kind.slice(4) : row.kind;
  return {
    source: row.url,
    kind: remote ? 'url' : format === 'dir' ? 'dir' : 'file',
    format,
    importedAt: row.importedAt,
    importedDaysAgo: ageInDays(row.importedAt, now),
  };
}

/**
 * Reads the database summary, says where its data came from and judges its freshness against `ctx.now()`.
 * `defaultSource` is what `db update` fetches when no source was chosen. Throws NOT_FOUND without a DB.
 */
export function dbStatus(ctx: StageContext, defaultSource: string = DEFAULT_OSV_SOURCE): DbStatus {
  const db = openVulnDb(ctx.home);
  try {
    const summary = db.summary();
    const now = ctx.now();
    const ageDays = ageInDays(summary.newestModified, now);
    const origin = summary.sources.map((row) => originOf(row, now));
    const isDefault = summary.updateSources.length === 0;
    const nextUpdate = { sources: isDefault ? [defaultSource] : summary.updateSources, isDefault };
    const stale = ageDays === null || ageDays > STALE_AFTER_DAYS;
    const warnings: string[] = [];
    if (ageDays === null) warnings.push('the database holds no records');
    else if (stale)
      warnings.push(`newest record is ${ageDays} days old (over ${STALE_AFTER_DAYS}); run \`ironclad db update\``);
    for (const s of summary.sources) {
      if (s.skipped > 0) warnings.push(`${s.skipped} malformed document(s) were skipped from ${s.url}`);
    }
    return { ...summary, ageDays, origin, nextUpdate, stale, warnings };
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
