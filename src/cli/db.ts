import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fail } from '../core/index.ts';
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

/** `ironclad db import SOURCE...`: builds the database from local directories, archives or URLs. */
export async function dbImportCommand(sources: readonly string[], force: boolean, io: CliIO): Promise<ExitStatus> {
  const resolved = sources.map((s) => (/^https?:\/\//i.test(s) ? s : resolve(io.cwd, s)));
  const result = await importOsv(resolved, stageContext(io), { force });
  io.stdout(importSummary(result));
  return 0;
}

/** `ironclad db update [--source URL...]`: rebuilds from the configured (or given) sources. */
export async function dbUpdateCommand(sources: readonly string[], force: boolean, io: CliIO): Promise<ExitStatus> {
  const resolved = sources.map((s) => (/^https?:\/\//i.test(s) ? s : resolve(io.cwd, s)));
  const result = await updateDb(stageContext(io), resolved.length > 0 ? resolved : undefined, { force });
  io.stdout(importSummary(result));
  return 0;
}

function renderStatus(s: DbStatus): string {
  const head = [
    `database:        ${s.path}`,
    `built:           ${s.builtAt ?? '-'}`,
    `newest record:   ${s.newestModified ?? '-'}${s.ageDays !== null ? ` (${s.ageDays} days old)` : ''}`,
    `records:         ${s.records}`,
    `update sources:  ${s.configuredSources.join(', ') || '-'}`,
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

/** `ironclad db status`: sources, counts per ecosystem, freshness; warns on stderr when stale. */
export async function dbStatusCommand(format: string, io: CliIO): Promise<ExitStatus> {
  if (format !== 'table' && format !== 'json') fail('USAGE', `unknown format ${format}`, { hint: 'use table or json' });
  const status = dbStatus(stageContext(io));
  io.stdout(format === 'json' ? JSON.stringify(status, null, 2) : renderStatus(status));
  for (const w of status.warnings) io.log.warn(w);
  return 0;
}

const EXAMPLES = `
Examples:
  $ ironclad db update                               # refresh from the configured sources (default: OSV's Debian export)
  $ ironclad db update --source https://mirror.example/osv/Debian/all.zip
  $ ironclad db import ./osv-debian.tar.xz ./extra-records/
  $ ironclad db import ./subset/ --force              # accept far fewer records than the current database
  $ ironclad db status --format json

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
    .addHelpText('after', EXAMPLES)
    .action((sources: string[], opts: { force: boolean }) => run(dbImportCommand(sources, opts.force, io)));
  db.command('update')
    .description('Rebuild the database from its configured sources')
    .option('--source <url...>', 'use (and remember) these sources instead')
    .option('--force', 'replace the database even with no or far fewer records (refused otherwise)', false)
    .addHelpText('after', EXAMPLES)
    .action((opts: { source?: string[]; force: boolean }) => run(dbUpdateCommand(opts.source ?? [], opts.force, io)));
  db.command('status')
    .description('Show sources, record counts per ecosystem and data freshness')
    .option('--format <format>', 'table or json', 'table')
    .action((opts: { format: string }) => run(dbStatusCommand(opts.format, io)));
  for (const c of db.commands) c.exitOverride();
};
