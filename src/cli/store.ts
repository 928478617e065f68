import type { Command } from 'commander';
import { fail, jsonOutput } from '../core/index.ts';
import { type StoreVerifyReport, verifyStore } from '../image/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';

/** `ironclad store verify [--repair]`: fsck of the local store; exit 3 when anything is missing or corrupt. */
export async function storeVerifyCommand(opts: { format: string; repair: boolean }, io: CliIO): Promise<ExitStatus> {
  if (opts.format !== 'table' && opts.format !== 'json')
    fail('USAGE', `--format ${opts.format}: expected table or json`);
  const report = await verifyStore(stageContext(io), { repair: opts.repair });
  io.stdout(opts.format === 'json' ? jsonOutput('store-verify', report) : renderReport(report));
  if (report.ok) return 0;
  const damaged = report.entries.filter((e) => !e.ok).map((e) => e.ref);
  io.stderr(
    `error: the store has ${report.blobs.corrupt.length} corrupt blob(s); ${damaged.length} image(s) or referrer(s) damaged${damaged.length > 0 ? `: ${damaged.slice(0, 10).join(', ')}` : ''}`,
  );
  io.stderr(
    report.removed.length > 0
      ? `hint: ${report.removed.length} corrupt blob(s) removed; rebuild (ironclad build) or pull the damaged images to restore them`
      : 'hint: run `ironclad store verify --repair` to remove corrupt blobs, then rebuild or pull the damaged images',
  );
  return 3;
}

function renderReport(r: StoreVerifyReport): string {
  const lines = [`store ${r.store}: ${r.blobs.checked} blobs hashed, ${r.blobs.corrupt.length} corrupt`];
  for (const d of r.blobs.corrupt) lines.push(`  CORRUPT  ${d}${r.removed.includes(d) ? '  (removed)' : ''}`);
  for (const e of r.entries) {
    if (e.ok) continue;
    lines.push(`  DAMAGED  ${e.ref} ${e.digest}`);
    for (const p of e.problems) lines.push(`    ${p.problem} ${p.role} ${p.digest}`);
  }
  const intact = r.entries.filter((e) => e.ok).length;
  lines.push(`${intact} of ${r.entries.length} entries intact${r.ok ? '; store verified' : ''}`);
  return lines.join('\n');
}

const EXAMPLES = `
Examples:
  $ ironclad store verify
  $ ironclad store verify --repair
  $ ironclad store verify --format json

Hashes every blob of the local store (IRONCLAD_HOME/store) against its digest and walks every tag and referrer
down to its layers. Exit status 3 when a blob is corrupt or missing. --repair removes corrupt blobs; a later
build re-creates what it builds and a pull re-fetches what a registry has.`;

export const registerStore: VerbRegistrar = (program: Command, io: CliIO, run) => {
  const store = program
    .command('store')
    .description('Check the local image store (IRONCLAD_HOME/store)')
    .addHelpText('after', EXAMPLES);
  store
    .command('verify')
    .description('Hash every blob and walk every image and referrer; report missing and corrupt blobs (exit 3)')
    .option('--repair', 'remove corrupt blobs so that build or pull writes them again', false)
    .option('--format <format>', 'table or json', 'table')
    .addHelpText('after', EXAMPLES)
    .action((opts: { format: string; repair: boolean }) => run(storeVerifyCommand(opts, io)));
  for (const c of store.commands) c.exitOverride();
};
