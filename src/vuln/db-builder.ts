import { closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { siblingTempPath, wrapError } from '../core/index.ts';
import { DB_SCHEMA_VERSION, INDEX_SQL, SCHEMA_SQL } from './db.ts';
import type { OsvRecord } from './osv-record.ts';

/** Per-source counters written to the `sources` table. */
export interface SourceStats {
  readonly url: string;
  readonly kind: string;
  /** Records kept (Debian entries present). */
  count: number;
  /** Malformed documents skipped. */
  skipped: number;
  /** Well-formed documents without Debian entries, or withdrawn. */
  ignored: number;
}

/**
 * Builds a complete database in a NEW temp file beside the target, in one transaction, and renames it
 * over the target only on `commit()`. Until then the previous database stays untouched, so a failed
 * or interrupted import leaves it intact; `abort()` removes the temp file.
 *
 * Records are keyed by OSV `id`: the same id seen again (e.g. a DSA filed under two year folders)
 * replaces the stored one only when its `modified` is newer.
 */
export class VulnDbBuilder {
  readonly #target: string;
  readonly #tmp: string;
  readonly #db: Database.Database;
  readonly #seen = new Map<string, string>();
  readonly #insertRecord: Database.Statement;
  readonly #insertAffected: Database.Statement;
  readonly #deleteRecord: Database.Statement;
  readonly #deleteAffected: Database.Statement;
  #newest: string | null = null;
  #newestMs = Number.NEGATIVE_INFINITY;

  private constructor(target: string, tmp: string, db: Database.Database) {
    this.#target = target;
    this.#tmp = tmp;
    this.#db = db;
    this.#insertRecord = db.prepare('INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.#insertAffected = db.prepare('INSERT INTO affected VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.#deleteRecord = db.prepare('DELETE FROM records WHERE id = ?');
    this.#deleteAffected = db.prepare('DELETE FROM affected WHERE record_id = ?');
  }

  /** Creates the temp database next to `target` and opens its transaction. */
  static async create(target: string): Promise<VulnDbBuilder> {
    await mkdir(dirname(target), { recursive: true });
    const tmp = siblingTempPath(target);
    let db: Database.Database | undefined;
    try {
      db = new Database(tmp);
      // The file is private until renamed: durability comes from the fsync in commit(), not a journal.
      db.pragma('journal_mode = OFF');
      db.pragma('synchronous = OFF');
      db.exec(SCHEMA_SQL);
      db.exec('BEGIN');
      return new VulnDbBuilder(target, tmp, db);
    } catch (err) {
      // Close before removing: a handle left open keeps the space (and the file system busy) for the whole run.
      if (db?.open === true) db.close();
      await rm(tmp, { force: true });
      throw wrapError(err, 'INTERNAL', `creating vulnerability database beside ${target}`, undefined, tmp);
    }
  }

  /** Adds (or, when newer, replaces) one record. Returns false when an existing newer record was kept. */
  add(record: OsvRecord): boolean {
    try {
      return this.#add(record);
    } catch (err) {
      throw wrapError(err, 'INTERNAL', `adding ${record.id} to the vulnerability database`, undefined, this.#tmp);
    }
  }

  #add(record: OsvRecord): boolean {
    const previous = this.#seen.get(record.id);
    if (previous !== undefined) {
      if (Date.parse(previous) >= Date.parse(record.modified)) return false;
      this.#deleteAffected.run(record.id);
      this.#deleteRecord.run(record.id);
    }
    this.#seen.set(record.id, record.modified);
    const ms = Date.parse(record.modified);
    if (ms > this.#newestMs) {
      this.#newestMs = ms;
      this.#newest = record.modified;
    }
    this.#insertRecord.run(
      record.id,
      record.modified,
      record.published,
      record.summary,
      record.details,
      JSON.stringify(record.aliases),
      JSON.stringify(record.related),
      JSON.stringify(record.severity),
    );
    for (const a of record.affected) {
      const first = a.ranges[0] ?? [];
      const pick = (key: string) => {
        for (const ev of first) if (key in ev) return (ev as Record<string, string>)[key] ?? null;
        return null;
      };
      this.#insertAffected.run(
        record.id,
        a.ecosystem,
        a.package,
        JSON.stringify(a.ranges),
        pick('introduced'),
        pick('fixed'),
        pick('last_affected'),
        JSON.stringify(a.versions),
        a.urgency,
      );
    }
    return true;
  }

  /** Number of distinct record ids added so far. */
  get size(): number {
    return this.#seen.size;
  }

  /**
   * Writes sources and metadata, commits, fsyncs and renames over the target.
   * `builtAt` comes from the caller's clock (StageContext.now), never from here.
   */
  async commit(sources: readonly SourceStats[], updateSources: readonly string[], builtAt: Date): Promise<void> {
    try {
      const insertSource = this.#db.prepare('INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?)');
      for (const s of sources) {
        insertSource.run(s.url, s.kind, builtAt.toISOString(), s.count, s.skipped, s.ignored);
      }
      const meta = this.#db.prepare('INSERT INTO meta VALUES (?, ?)');
      meta.run('schema_version', DB_SCHEMA_VERSION);
      meta.run('built_at', builtAt.toISOString());
      meta.run('update_sources', JSON.stringify(updateSources));
      if (this.#newest !== null) meta.run('newest_modified', this.#newest);
      this.#db.exec(INDEX_SQL);
      this.#db.exec('COMMIT');
      this.#db.exec('ANALYZE');
      this.#db.close();
      const fd = openSync(this.#tmp, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      await rename(this.#tmp, this.#target);
    } catch (err) {
      await this.abort();
      throw wrapError(err, 'INTERNAL', `writing vulnerability database ${this.#target}`, undefined, this.#tmp);
    }
  }

  /** Discards the temp database; the target is left as it was. Safe to call more than once. */
  async abort(): Promise<void> {
    if (this.#db.open) this.#db.close();
    await rm(this.#tmp, { force: true });
  }
}
