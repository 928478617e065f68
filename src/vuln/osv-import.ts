import { createWriteStream, existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fail, type StageContext, siblingTempPath, wrapError } from '../core/index.ts';
import { openVulnDb, vulnDbPath } from './db.ts';
import { type SourceStats, VulnDbBuilder } from './db-builder.ts';
import { type ArchiveKind, MAX_ARCHIVE_BYTES, readOsvArchive, sniffArchive } from './osv-archive.ts';
import { parseOsvBytes } from './osv-record.ts';

/** OSV's public export of every Debian record (https://google.github.io/osv.dev/data/). */
export const DEFAULT_OSV_SOURCE = 'https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip';

/** At most this many malformed documents are listed individually in an import result. */
const MAX_LISTED_PROBLEMS = 100;

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

/** A URL without its query string or credentials, for messages (a signed URL's query is a secret). */
function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

async function download(url: string, dest: string, ctx: StageContext): Promise<void> {
  const shown = displayUrl(url);
  let res: Response;
  try {
    res = await ctx.fetch(url, { signal: ctx.signal, redirect: 'follow' });
  } catch (err) {
    throw wrapError(err, 'NETWORK', `downloading ${shown}`);
  }
  if (!res.ok || res.body === null) {
    fail('NETWORK', `downloading ${shown}: HTTP ${res.status}`, {
      retryable: res.status === 408 || res.status === 429 || res.status >= 500,
    });
  }
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_ARCHIVE_BYTES) fail('INVALID_INPUT', `${shown}: larger than ${MAX_ARCHIVE_BYTES} bytes`);
  let seen = 0;
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (c: Buffer) => {
    seen += c.length;
    if (seen > MAX_ARCHIVE_BYTES) body.destroy(new Error(`larger than ${MAX_ARCHIVE_BYTES} bytes`));
  });
  try {
    await pipeline(body, createWriteStream(dest));
  } catch (err) {
    throw wrapError(err, 'NETWORK', `downloading ${shown}`);
  }
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
  tmpBeside: string,
): Promise<SourceStats> {
  const remote = /^https?:\/\//i.test(source);
  const path = remote ? siblingTempPath(tmpBeside) : source;
  try {
    if (remote) await download(source, path, ctx);
    const kind = await localKind(path);
    const stats: SourceStats = { url: source, kind: remote ? `url:${kind}` : kind, count: 0, skipped: 0, ignored: 0 };
    let seen = 0;
    for await (const entry of readOsvArchive(path, kind)) {
      if (ctx.signal.aborted) fail('INTERNAL', 'import cancelled');
      if (++seen % 2000 === 0) ctx.log.progress(`importing ${source}: ${seen} documents`);
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
    if (remote) await rm(path, { force: true });
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
  configured: readonly string[] = sources,
): Promise<ImportResult> {
  if (sources.length === 0) fail('USAGE', 'no OSV source given');
  const dbPath = vulnDbPath(ctx.home);
  const builder = await VulnDbBuilder.create(dbPath);
  const problems: ImportResult['problems'][number][] = [];
  const stats: SourceStats[] = [];
  try {
    for (const source of sources) {
      ctx.log.info(`importing OSV records from ${source}`);
      stats.push(await importOne(source, builder, problems, ctx, dbPath));
    }
  } catch (err) {
    await builder.abort();
    throw err;
  }
  const records = builder.size;
  await builder.commit(stats, configured, ctx.now());
  const skipped = stats.reduce((n, s) => n + s.skipped, 0);
  if (skipped > 0) ctx.log.warn(`skipped ${skipped} malformed OSV document(s); first: ${problems[0]?.name ?? '?'}`);
  return { dbPath, records, sources: stats, skipped, problems };
}

/** The sources `db update` uses: those recorded in the current database, else OSV's Debian export. */
export function configuredSources(home: string): readonly string[] {
  if (!existsSync(vulnDbPath(home))) return [DEFAULT_OSV_SOURCE];
  try {
    const db = openVulnDb(home);
    try {
      const list = db.summary().configuredSources;
      return list.length > 0 ? list : [DEFAULT_OSV_SOURCE];
    } finally {
      db.close();
    }
  } catch {
    // An unreadable or outdated database is about to be replaced anyway.
    return [DEFAULT_OSV_SOURCE];
  }
}

/**
 * Refreshes the database from `sources` when given (they become the configured list), else from the
 * configured sources.
 */
export async function updateDb(ctx: StageContext, sources?: readonly string[]): Promise<ImportResult> {
  const list = sources !== undefined && sources.length > 0 ? sources : configuredSources(ctx.home);
  return importOsv(list, ctx, list);
}
