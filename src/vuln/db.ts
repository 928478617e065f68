import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { fail, type Home, wrapError } from '../core/index.ts';
import type { RangeEvent } from './osv-record.ts';

/**
 * The vulnerability database: one SQLite file at `<home>/vuln.db`, written only by the importer
 * (into a new file that is renamed over the old one) and opened read-only by scans.
 */

/** Bumped whenever the tables below change; an older file is rejected with a hint to re-import. */
export const DB_SCHEMA_VERSION = '1';

export const SCHEMA_SQL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
  url TEXT PRIMARY KEY, kind TEXT NOT NULL, imported_at TEXT NOT NULL,
  count INTEGER NOT NULL, skipped INTEGER NOT NULL, ignored INTEGER NOT NULL
);
CREATE TABLE records (
  id TEXT PRIMARY KEY, modified TEXT NOT NULL, published TEXT, summary TEXT NOT NULL, details TEXT NOT NULL,
  aliases TEXT NOT NULL, related TEXT NOT NULL, severity TEXT NOT NULL
);
CREATE TABLE affected (
  record_id TEXT NOT NULL REFERENCES records(id), ecosystem TEXT NOT NULL, package TEXT NOT NULL,
  ranges TEXT NOT NULL, introduced TEXT, fixed TEXT, last_affected TEXT, versions TEXT NOT NULL, urgency TEXT
);`;

/** Created after the bulk insert, which is faster than maintaining it row by row. */
export const INDEX_SQL = 'CREATE INDEX affected_by_package ON affected (ecosystem, package);';

/** One affected entry joined with its record, as the matcher consumes it. */
export interface AffectedRow {
  readonly recordId: string;
  readonly ecosystem: string;
  readonly package: string;
  readonly ranges: readonly (readonly RangeEvent[])[];
  readonly versions: readonly string[];
  readonly urgency: string | null;
  readonly modified: string;
  readonly summary: string;
  readonly details: string;
  readonly aliases: readonly string[];
  readonly related: readonly string[];
  readonly severity: readonly { readonly type: string; readonly score: string }[];
}

export interface SourceRow {
  readonly url: string;
  readonly kind: string;
  readonly importedAt: string;
  readonly count: number;
  readonly skipped: number;
  readonly ignored: number;
}

export interface DbSummary {
  readonly path: string;
  readonly builtAt: string | null;
  readonly newestModified: string | null;
  readonly records: number;
  readonly sources: readonly SourceRow[];
  /**
   * Sources `db update` fetches, in order, as chosen with `db update --source`; empty: the default (OSV's
   * Debian export). `db import` never sets them, so a file imported once is not re-imported by the next update.
   */
  readonly updateSources: readonly string[];
  /** Records per ecosystem, sorted by ecosystem name. */
  readonly ecosystems: readonly { readonly ecosystem: string; readonly records: number; readonly packages: number }[];
}

/**
 * The `db update` source list. Databases written before `update_sources` existed stored every import's sources
 * as `configured_sources`; of those only URLs are kept, since a local file there came from `db import` and must
 * not be silently re-imported as if it were current data.
 */
function readUpdateSources(meta: (key: string) => string | null): string[] {
  const explicit = meta('update_sources');
  if (explicit !== null) return JSON.parse(explicit) as string[];
  const legacy = JSON.parse(meta('configured_sources') ?? '[]') as string[];
  return legacy.filter((s) => /^https?:\/\//i.test(s));
}

/** Read-only access to an imported database. Not safe to use after `close()`. */
export interface VulnDb {
  readonly path: string;
  /** Affected entries for one source package in one ecosystem, ordered by record id. */
  affectedFor(ecosystem: string, pkg: string): readonly AffectedRow[];
  /** Newest `modified` across records, or null for an empty database. */
  newestModified(): string | null;
  /** The `published` (null when the record has none) and `modified` dates of a record; undefined when unknown. */
  recordDates(id: string): { readonly published: string | null; readonly modified: string } | undefined;
  /** Distinct records with an affected entry in `ecosystem` (0: the database cannot judge that distribution). */
  recordsIn(ecosystem: string): number;
  summary(): DbSummary;
  close(): void;
}

interface RawAffected {
  record_id: string;
  ecosystem: string;
  package: string;
  ranges: string;
  versions: string;
  urgency: string | null;
  modified: string;
  summary: string;
  details: string;
  aliases: string;
  related: string;
  severity: string;
}

/**
 * Opens `<home>/vuln.db` read-only (`readonly: true`: scans never write, and many may run at once).
 * Throws NOT_FOUND when no database was imported yet, INVALID_INPUT when the file is not ours or
 * has an older schema.
 */
export function openVulnDb(home: Home): VulnDb {
  const path = home.vulnDb;
  if (!existsSync(path)) {
    fail('NOT_FOUND', `no vulnerability database at ${path}`, {
      hint: 'run `ironclad db update` (or `ironclad db import <file>`) first',
    });
  }
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
      | { value: string }
      | undefined;
    if (row?.value !== DB_SCHEMA_VERSION) {
      db.close();
      fail('INVALID_INPUT', `vulnerability database ${path} has schema ${row?.value ?? 'none'}`, {
        hint: 'run `ironclad db update` to rebuild it',
      });
    }
  } catch (err) {
    throw wrapError(err, 'INVALID_INPUT', `opening vulnerability database ${path}`, 'run `ironclad db update`');
  }
  const byPackage = db.prepare(
    `SELECT a.record_id, a.ecosystem, a.package, a.ranges, a.versions, a.urgency,
            r.modified, r.summary, r.details, r.aliases, r.related, r.severity
       FROM affected a JOIN records r ON r.id = a.record_id
      WHERE a.ecosystem = ? AND a.package = ? ORDER BY a.record_id`,
  );
  const meta = (key: string) =>
    (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
  return {
    path,
    affectedFor(ecosystem, pkg) {
      return (byPackage.all(ecosystem, pkg) as RawAffected[]).map((r) => ({
        recordId: r.record_id,
        ecosystem: r.ecosystem,
        package: r.package,
        ranges: JSON.parse(r.ranges),
        versions: JSON.parse(r.versions),
        urgency: r.urgency,
        modified: r.modified,
        summary: r.summary,
        details: r.details,
        aliases: JSON.parse(r.aliases),
        related: JSON.parse(r.related),
        severity: JSON.parse(r.severity),
      }));
    },
    newestModified: () => meta('newest_modified'),
    recordDates: (id) =>
      db.prepare('SELECT published, modified FROM records WHERE id = ?').get(id) as
        | { published: string | null; modified: string }
        | undefined,
    recordsIn: (ecosystem) =>
      (
        db.prepare('SELECT COUNT(DISTINCT record_id) AS n FROM affected WHERE ecosystem = ?').get(ecosystem) as {
          n: number;
        }
      ).n,
    summary() {
      const sources = (
        db.prepare('SELECT url, kind, imported_at, count, skipped, ignored FROM sources ORDER BY url').all() as {
          url: string;
          kind: string;
          imported_at: string;
          count: number;
          skipped: number;
          ignored: number;
        }[]
      ).map((s) => ({
        url: s.url,
        kind: s.kind,
        importedAt: s.imported_at,
        count: s.count,
        skipped: s.skipped,
        ignored: s.ignored,
      }));
      const ecosystems = db
        .prepare(
          `SELECT ecosystem, COUNT(DISTINCT record_id) AS records, COUNT(DISTINCT package) AS packages
             FROM affected GROUP BY ecosystem ORDER BY ecosystem`,
        )
        .all() as { ecosystem: string; records: number; packages: number }[];
      const records = (db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;
      return {
        path,
        builtAt: meta('built_at'),
        newestModified: meta('newest_modified'),
        records,
        sources,
        updateSources: readUpdateSources(meta),
        ecosystems,
      };
    },
    close: () => db.close(),
  };
}
