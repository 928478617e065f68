import type { Command } from 'commander';
import { fail, jsonOutput } from '../core/index.ts';
import { repoRelativePath } from '../definition/index.ts';
import { describeMove, type FleetStatus, fleetStatus, type VariantStatus } from '../update/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { type CatalogArgs, catalogOptions, distroOverrides, loadDefinitionArgs } from './definition-args.ts';
import { movedBaseNotes } from './image-base.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { renderTable } from './table.ts';

export interface StatusArgs extends CatalogArgs {
  readonly offline?: boolean;
  readonly format: string;
}

/** `ironclad status`: per catalog image and variant, digest, lock age, pending updates and fixable CVEs. */
export async function statusCommand(args: StatusArgs, io: CliIO): Promise<ExitStatus> {
  if (!['table', 'json'].includes(args.format)) fail('USAGE', `--format ${args.format}: expected table or json`);
  const definitions = await loadDefinitionArgs(args, io);
  for (const note of await movedBaseNotes(definitions, io)) io.stderr(`note: ${note}`);
  const status = await fleetStatus(
    definitions,
    {
      variant: args.variant,
      offline: args.offline === true,
      distro: distroOverrides(args, io),
      displayPath: (loaded) => repoRelativePath(loaded.path, io.cwd),
    },
    stageContext(io),
  );
  io.stdout(args.format === 'json' ? jsonOutput('status', status) : renderStatus(status));
  if (status.vulnerabilityData === null)
    io.log.warn('no vulnerability database: fixable CVEs are not known (run `ironclad db update`)');
  return 0;
}

const days = (n: number | null) => (n === null ? '-' : `${n}d`);

function fixableCell(s: VariantStatus): string {
  if (s.fixable === null) return '-';
  const c = s.fixable.filter((f) => f.severity === 'critical').length;
  const h = s.fixable.length - c;
  return `${c}C ${h}H`;
}

function renderStatus(status: FleetStatus): string {
  const rows = status.images.map((s) => [
    s.tag,
    s.variant,
    s.digest === null ? 'not built' : s.digest.slice(0, 19),
    days(s.lockAgeDays),
    String(s.pending.length),
    fixableCell(s),
    days(s.fixable?.[0]?.daysFixable ?? null),
  ]);
  const out = [
    renderTable(['IMAGE', 'VARIANT', 'DIGEST', 'LOCK AGE', 'PENDING', 'FIXABLE', 'OLDEST FIX'], rows, [3, 4, 6]),
  ];
  for (const s of status.images) {
    const lines = [
      ...s.pending.map((m) => `  pending: ${describeMove(m)}`),
      ...(s.fixable ?? []).map(
        (f) =>
          `  fixable: ${f.id} (${f.severity}, ${f.source} ${f.installed} → ${f.fixed}) for ${days(f.daysFixable)} ` +
          `(${f.basis === 'advisory-published' ? 'since the advisory' : 'at least, since the record changed'})` +
          `${f.fixInArchive ? '; the fix is in the archive: ironclad update' : '; the fix is not in the locked suites'}`,
      ),
    ];
    if (lines.length > 0) out.push('', `${s.tag} (${s.variant}):`, ...lines);
  }
  if (status.offline) out.push('', 'offline: re-locked against the archive index fetched last');
  out.push(`vulnerability data: ${status.vulnerabilityData ?? 'none'}`);
  return out.join('\n');
}

export const registerStatus: VerbRegistrar = (program: Command, io, run) => {
  const command = program.command('status');
  catalogOptions(command)
    .summary('per image: digest, lock age, pending updates, fixable critical/high CVEs and for how long')
    .description(
      'For every image under --images (or the definitions given) and each variant: the digest its first tag has in the local store, the age of the archive state its lock pins, what a re-lock against the verified archive would move now, and which critical/high vulnerabilities of its lock Debian has fixed, for how many days: since the DSA/DLA that shipped the fix, else (at least) since the record last changed. --offline re-locks against the archive index fetched last. Writes nothing.',
    )
    .option('--offline', 'use the archive index fetched last instead of the network')
    .option('--format <format>', 'table or json', 'table')
    .addHelpText(
      'after',
      `
Examples:
  ironclad status                         # every catalog image, against the archive now
  ironclad status --offline --format json | jq '.images[] | select(.fixable | length > 0) | .tag'
  ironclad status images/python --variant runtime`,
    )
    .action((definitions: string[], opts: Omit<StatusArgs, 'definitions'>) =>
      run(statusCommand({ definitions, ...opts }, io)),
    );
};
