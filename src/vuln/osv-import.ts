import { existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, type Home, httpDownloadFile, redact, type StageContext, wrapError } from '../core/index.ts';
import { openVulnDb } from './db.ts';
import { type SourceStats, VulnDbBuilder } from './db-builder.ts';
import { type ArchiveKind, MAX_ARCHIVE_BYTES, readOsvArchive, sniffArchive } from './osv-archive.ts';
import { parseOsvBytes } from './osv-record.ts';

/** OSV's public export of every Debian record (https://google.github.io/osv.dev/data/). */
export const DEFAULT_OSV_SOURCE = 'https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip';

/** At most this many malformed documents are listed individually in an import result. */
const MAX_LISTED_PROBLEMS = 100;

/**
 * An import that keeps fewer than this fraction of the records of the database it replaces is refused unless
 * forced. OSV's Debian export only grows (withdrawn records stay, marked withdrawn), so losing half of it means a
 * truncated, malformed or wrong source, and a scanner on that data would report a clean image it cannot judge.
 */
export const MIN_KEPT_FRACTION = 0.5;

export interface ImportOptions {
  /**
   * Sources stored for later `db update` runs (empty: OSV's default export); default: the current database's
   * list, unchanged. An import of a local file never becomes the update source by itself.
   */
  readonly updateSources?: readonly string[];
  /** Replace the database even when the import yields no or far fewer records (`--force`). */
  readonly force?: boolean;
}

export interface ImportResult {
  readonly dbPath: string;
  /** Distinct records stored. */
  readonly records: number;
  readonly sources: readonly SourceStats[];
  /** Total malformed documents skipped across sources. */
  readonly skipped: number;
  /** The first malformed documents with their reason (at most 100). */
  readonly problems: readonly { readonly source: string; readonly name: string; readonly reason: string }[];
}

/** Downloads an OSV export through the one HTTP stack (retries, timeouts, deadline: core/http.ts). */
async function download(url: string, dest: string, ctx: StageContext): Promise<void> {
  await httpDownloadFile(url, dest, ctx, {
    maxBytes: MAX_ARCHIVE_BYTES,
    tooLarge: (limit) => fail('INVALID_INPUT', `${redact(url)}: larger than ${limit} bytes`),
  });
}

/** Decides how to read a local source: a directory, or an archive recognised by its content. */
async function localKind(path: string): Promise<ArchiveKind> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (err) {
    throw wrapError(err, 'NOT_FOUND', `OSV source ${path}`);
  }
  if (info.isDirectory()) return 'dir';
  const kind = await sniffArchive(path);
  if (kind === null) {
    fail('INVALID_INPUT', `OSV source ${path} is not a directory, zip or tar archive`, {
      hint: 'pass a directory of OSV JSON files, an all.zip, or a .tar/.tar.gz/.tar.xz',
    });
  }
  return kind;
}

async function importOne(
  source: string,
  builder: VulnDbBuilder,
  problems: ImportResult['problems'][number][],
  ctx: StageContext,
): Promise<SourceStats> {
  const remote = /^https?:\/\//i.test(source);
  const scratch = remote ? await ctx.home.scratchDir('osv-download') : undefined;
  const path = scratch !== undefined ? join(scratch, 'source') : source;
  try {
    const label = remote ? redact(source) : source;
    if (remote) {
      ctx.log.progress(`downloading ${label}`);
      await download(source, path, ctx);
    }
    const kind = await localKind(path);
    const stats: SourceStats = { url: source, kind: remote ? `url:${kind}` : kind, count: 0, skipped: 0, ignored: 0 };
    let seen = 0;
    for await (const entry of readOsvArchive(path, kind)) {
      ctx.signal.throwIfAborted();
      if (++seen % 500 === 0) ctx.log.tick(`importing ${label}: ${seen} documents`);
      const parsed =
        'tooLarge' in entry
          ? ({ kind: 'malformed', reason: `file of ${entry.tooLarge} bytes exceeds the limit` } as const)
          : parseOsvBytes(entry.bytes);
      if (parsed.kind === 'malformed') {
        stats.skipped++;
        ctx.log.debug(`skipping ${entry.name}: ${parsed.reason}`);
        if (problems.length < MAX_LISTED_PROBLEMS) problems.push({ source, name: entry.name, reason: parsed.reason });
      } else if (parsed.kind === 'ignored') {
        stats.ignored++;
      } else {
        builder.add(parsed.record);
        stats.count++;
      }
    }
    return stats;
  } finally {
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Builds a fresh `<home>/vuln.db` from the given sources (directories, archive files or http(s) URLs;
 * later sources win for the same id only when their record is newer) and atomically replaces the
 * previous database. `configured` is stored as the source list for later `db update` runs.
 * Malformed documents are skipped and counted, never fatal; an unreadable source aborts the import
 * and leaves the previous database untouched.
 */
export async function importOsv(
  sources: readonly string[],
  ctx: StageContext,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  if (sources.length === 0) fail('USAGE', 'no OSV source given');
  const dbPath = ctx.home.vulnDb;
  const builder = await VulnDbBuilder.create(dbPath);
  const problems: ImportResult['problems'][number][] = [];
  const stats: SourceStats[] = [];
  try {
    for (const source of sources) {
      ctx.log.info(`importing OSV records from ${source}`);
      stats.push(await importOne(source, builder, problems, ctx));
    }
  } catch (err) {
    await builder.abort();
    throw err;
  }
  const records = builder.size;
  try {
    if (opts.force !== true) refuseShrink(records, previousRecordCount(ctx.home), stats);
  } catch (err) {
    await builder.abort();
    throw err;
  }
  await builder.commit(stats, opts.updateSources ?? explicitUpdateSources(ctx.home), ctx.now());
  const skipped = stats.reduce((n, s) => n + s.skipped, 0);
  if (skipped > 0) ctx.log.warn(`skipped ${skipped} malformed OSV document(s); first: ${problems[0]?.name ?? '?'}`);
  return { dbPath, records, sources: stats, skipped, problems };
}

/** Records in the current database; 0 when there is none or it cannot be read (it is about to be replaced). */
function previousRecordCount(home: Home): number {
  if (!existsSync(home.vulnDb)) return 0;
  try {
    const db = openVulnDb(home);
    try {
      return db.summary().records;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/** Throws IMPORT_REFUSED for an import of no records, or of far fewer than the database it would replace. */
function refuseShrink(records: number, previous: number, stats: readonly SourceStats[]): void {
  const malformed = stats.reduce((n, s) => n + s.skipped, 0);
  const why = `${malformed} malformed and ${stats.reduce((n, s) => n + s.ignored, 0)} non-Debian document(s) skipped`;
  const kept = previous > 0 ? `; the current database (${previous} records) is kept` : '';
  if (records === 0) {
    fail('IMPORT_REFUSED', `refusing to import: the sources yielded no OSV records for Debian (${why})${kept}`, {
      hint: 'check the source (a truncated download, the wrong file?); add --force to import it anyway',
    });
  }
  if (previous > 0 && records < previous * MIN_KEPT_FRACTION) {
    fail(
      'IMPORT_REFUSED',
      `refusing to import: ${records} records would replace ${previous} (fewer than ${MIN_KEPT_FRACTION * 100}%; ${why})${kept}`,
      { hint: 'a partial or wrong source would make scans miss vulnerabilities; add --force if the drop is intended' },
    );
  }
}

/** The sources chosen with `db update --source` (empty: none chosen, the default applies). */
export function explicitUpdateSources(home: Home): readonly string[] {
  if (!existsSync(home.vulnDb)) return [];
  try {
    const db = openVulnDb(home);
    try {
      return db.summary().updateSources;
    } finally {
      db.close();
    }
  } catch {
    // An unreadable or outdated database is about to be replaced anyway.
    return [];
  }
}

/** The sources `db update` fetches: those chosen with `--source`, else `defaultSource` (OSV's Debian export). */
export function updateSourcesOf(home: Home, defaultSource: string = DEFAULT_OSV_SOURCE): readonly string[] {
  const explicit = explicitUpdateSources(home);
  return explicit.length > 0 ? explicit : [defaultSource];
}

export interface UpdateOptions {
  /** Replace the database even when the update yields no or far fewer records (`--force`). */
  readonly force?: boolean;
  /** Used when no source was chosen; DEFAULT_OSV_SOURCE unless overridden (a mirror, a test server). */
  readonly defaultSource?: string;
}

/**
 * Refreshes the database from `sources` when given (they become the remembered update sources), else from the
 * remembered ones, else from the default source. What was imported last with `db import` plays no part.
 */
export async function updateDb(
  ctx: StageContext,
  sources?: readonly string[],
  opts: UpdateOptions = {},
): Promise<ImportResult> {
  const chosen = sources !== undefined && sources.length > 0;
  const list = chosen ? sources : updateSourcesOf(ctx.home, opts.defaultSource);
  return importOsv(list, ctx, {
    updateSources: chosen ? sources : explicitUpdateSources(ctx.home),
    ...(opts.force !== undefined && { force: opts.force }),
  });
}
