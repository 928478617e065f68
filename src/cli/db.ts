import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fail, jsonOutput } from '../core/index.ts';
import { type DbStatus, dbStatus, type ImportResult, importOsv, updateDb } from '../vuln/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { renderTable } from './table.ts';

function importSummary(r: ImportResult): string {
  const lines = r.sources.map(
    (s) => `  ${s.url} (${s.kind}): ${s.count} records, ${s.skipped} malformed, ${s.ignored} without Debian data`,
  );
  return [`imported ${r.records} records into ${r.dbPath}`, ...lines].join('\n');
}

/** `--format` of db import and update; checked before anything is fetched. */
function importFormat(format: string): 'table' | 'json' {
  if (format !== 'table' && format !== 'json') fail('USAGE', `--format ${format}: expected table or json`);
  return format;
}

function renderImport(r: ImportResult, format: 'table' | 'json'): string {
  return format === 'json' ? jsonOutput('db-import', r) : importSummary(r);
}

/** `ironclad db import SOURCE...`: builds the database from local directories, archives or URLs. */
export async function dbImportCommand(
  sources: readonly string[],
  force: boolean,
  io: CliIO,
  format = 'table',
): Promise<ExitStatus> {
  const fmt = importFormat(format);
  const resolved = sources.map((s) => (/^https?:\/\//i.test(s) ? s : resolve(io.cwd, s)));
  const result = await importOsv(resolved, stageContext(io), { force });
  io.stdout(renderImport(result, fmt));
  return 0;
}

/**
 * OSV's Debian export unless IRONCLAD_OSV_URL names another (a mirror, a proxy, a local test server): the source
 * `db update` fetches when no `--source` was ever chosen.
 */
function defaultSource(io: CliIO): string | undefined {
  const url = io.env.IRONCLAD_OSV_URL;
  if (url === undefined || url === '') return undefined;
  if (!/^https?:\/\//i.test(url)) {
    fail('USAGE', `IRONCLAD_OSV_URL must be an http(s) URL, got ${url}`, {
      hint: "unset it to use OSV's Debian export, or use `db import FILE` for a local file",
    });
  }
  return url;
}

/** `ironclad db update [--source URL...]`: rebuilds from the chosen sources, else from OSV's Debian export. */
export async function dbUpdateCommand(
  sources: readonly string[],
  force: boolean,
  io: CliIO,
  format = 'table',
): Promise<ExitStatus> {
  const fmt = importFormat(format);
  const resolved = sources.map((s) => (/^https?:\/\//i.test(s) ? s : resolve(io.cwd, s)));
  const fallback = defaultSource(io);
  const result = await updateDb(stageContext(io), resolved.length > 0 ? resolved : undefined, {
    force,
    ...(fallback !== undefined && { defaultSource: fallback }),
  });
  io.stdout(renderImport(result, fmt));
  return 0;
}

const daysAgo = (n: number | null) => (n === null ? '' : n === 0 ? ' (today)' : ` (${n} days ago)`);

function renderStatus(s: DbStatus): string {
  const origin = s.origin.map(
    (o) => `${o.kind} ${o.source} (${o.format}), imported ${o.importedAt}${daysAgo(o.importedDaysAgo)}`,
  );
  const next = `${s.nextUpdate.sources.join(', ')}${s.nextUpdate.isDefault ? ' (default)' : ' (chosen with --source)'}`;
  const head = [
    `database:        ${s.path}`,
    ...origin.map((line, i) => `${i === 0 ? 'data from:' : ''}`.padEnd(17) + line),
    `built:           ${s.builtAt ?? '-'}`,
    `newest record:   ${s.newestModified ?? '-'}${s.ageDays !== null ? ` (${s.ageDays} days old)` : ''}`,
    `records:         ${s.records}`,
    `next db update:  ${next}`,
  ];
  const sources = renderTable(
    ['SOURCE', 'KIND', 'IMPORTED', 'RECORDS', 'MALFORMED'],
    s.sources.map((x) => [x.url, x.kind, x.importedAt, String(x.count), String(x.skipped)]),
    [3, 4],
  );
  const eco = renderTable(
    ['ECOSYSTEM', 'RECORDS', 'PACKAGES'],
    s.ecosystems.map((e) => [e.ecosystem, String(e.records), String(e.packages)]),
    [1, 2],
  );
  return [...head, '', sources, '', eco].join('\n');
}

/** `ironclad db status`: where the data came from, counts per ecosystem, freshness; warns on stderr when stale. */
export async function dbStatusCommand(format: string, io: CliIO): Promise<ExitStatus> {
  if (format !== 'table' && format !== 'json') fail('USAGE', `unknown format ${format}`, { hint: 'use table or json' });
  const status = dbStatus(stageContext(io), defaultSource(io));
  io.stdout(format === 'json' ? jsonOutput('db-status', status) : renderStatus(status));
  for (const w of status.warnings) io.log.warn(w);
  return 0;
}

const EXAMPLES = `
Examples:
  $ ironclad db update                               # refresh from OSV's Debian export (or the --source chosen before)
  $ ironclad db update --source https://mirror.example/osv/Debian/all.zip   # remembered for later updates
  $ IRONCLAD_OSV_URL=http://127.0.0.1:8080/Debian/all.zip ironclad db update   # another default, not remembered
  $ ironclad db import ./osv-debian.tar.xz ./extra-records/
  $ ironclad db import ./subset/ --force              # accept far fewer records than the current database
  $ ironclad db status --format json

\`db import\` reads data once: it never becomes what \`db update\` fetches (use \`db update --source\` for that).
An import that yields no Debian records, or fewer than half the records of the database it replaces, is
refused (exit 3) and the current database is kept, unless --force is given.`;

export const registerDb: VerbRegistrar = (program: Command, io: CliIO, run) => {
  const db = program
    .command('db')
    .description('Manage the local vulnerability database (OSV records for Debian)')
    .addHelpText('after', EXAMPLES);
  db.command('import')
    .description('Build the database from OSV directories, all.zip files, .tar[.gz|.xz] archives or URLs')
    .argument('<source...>', 'directory, archive file or http(s) URL')
    .option('--force', 'replace the database even with no or far fewer records (refused otherwise)', false)
    .option('--format <format>', 'table or json', 'table')
    .addHelpText('after', EXAMPLES)
    .action((sources: string[], opts: { force: boolean; format: string }) =>
      run(dbImportCommand(sources, opts.force, io, opts.format)),
    );
  db.command('update')
    .description("Rebuild the database from OSV's Debian export (all.zip), or from the sources chosen with --source")
    .option('--source <url...>', 'use (and remember) these sources instead')
    .option('--force', 'replace the database even with no or far fewer records (refused otherwise)', false)
    .option('--format <format>', 'table or json', 'table')
    .addHelpText('after', EXAMPLES)
    .action((opts: { source?: string[]; force: boolean; format: string }) =>
      run(dbUpdateCommand(opts.source ?? [], opts.force, io, opts.format)),
    );
  db.command('status')
    .description('Show where the data came from, how old it is, record counts per ecosystem')
    .option('--format <format>', 'table or json', 'table')
    .addHelpText('after', '\nExamples:\n  $ ironclad db status\n  $ ironclad db status --format json | jq .records')
    .action((opts: { format: string }) => run(dbStatusCommand(opts.format, io)));
  for (const c of db.commands) c.exitOverride();
};
