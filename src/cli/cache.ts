import type { Command } from 'commander';
import { fail, jsonOutput } from '../core/index.ts';
import { type CacheVerifyReport, verifyCaches } from '../image/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { renderTable } from './table.ts';

/**
 * `ironclad cache verify`: checks every derived cache entry (seal, binding to its input, and a re-derivation
 * where the input is at hand), removes the bad ones, and exits 3 when it found any.
 */
export async function cacheVerifyCommand(format: string, io: CliIO): Promise<ExitStatus> {
  if (format !== 'table' && format !== 'json') fail('USAGE', `--format ${format}: expected table or json`);
  const report = await verifyCaches(stageContext(io));
  io.stdout(format === 'json' ? jsonOutput('cache-verify', report) : renderReport(report));
  if (report.ok) return 0;
  io.stderr(
    `error: ${report.problems.length} bad or stray cache entr${report.problems.length === 1 ? 'y' : 'ies'} removed`,
  );
  return 3;
}

function renderReport(r: CacheVerifyReport): string {
  const table = renderTable(
    ['CACHE', 'ENTRIES', 'RE-DERIVED', 'BAD'],
    r.kinds.map((k) => [k.kind, String(k.entries), String(k.reDerived), String(k.bad)]),
    [1, 2, 3],
  );
  const problems = r.problems.map((p) => `removed ${p.kind} ${p.key}: ${p.reason}`);
  return [table, ...problems, r.ok ? 'all entries verified' : ''].filter((l) => l !== '').join('\n');
}

const EXAMPLES = `
Examples:
  $ ironclad cache verify
  $ ironclad cache verify --format json

Derived caches (parsed .debs, compressed layers, resolutions) only save time. Each entry is sealed with an
HMAC under a secret kept in IRONCLAD_HOME and bound to the digest of the input it was derived from; a build
discards a bad entry and derives it again. This command also re-derives parsed .debs from their verified .debs
and decompresses cached layers to their diffId, which catches an entry forged by someone who holds the secret.
Exit status 3 when a bad entry was found (it is removed). \`build --no-cache\` and \`lock --no-cache\` use none.`;

export const registerCache: VerbRegistrar = (program: Command, io: CliIO, run) => {
  const cache = program
    .command('cache')
    .description('Check the derived caches under IRONCLAD_HOME (parsed .debs, compressed layers, resolutions)')
    .addHelpText('after', EXAMPLES);
  cache
    .command('verify')
    .description('Verify every derived cache entry against its seal and its input; remove bad entries (exit 3)')
    .option('--format <format>', 'table or json', 'table')
    .addHelpText('after', EXAMPLES)
    .action((opts: { format: string }) => run(cacheVerifyCommand(opts.format, io)));
  for (const c of cache.commands) c.exitOverride();
};
