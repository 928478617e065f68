import type { Command } from 'commander';
import { fail, jsonOutput } from '../core/index.ts';
import { LayoutStore, splitStoreTag } from '../oci/index.ts';
import { describeBaseMove, describeMove, type HistoryEntry, readHistory } from '../update/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { type CliIO, type ExitStatus, ironcladHome } from './io.ts';

interface HistoryArgs {
  readonly format: string;
}

/** `ironclad history IMAGE[:TAG]`: the moves recorded for an image's tags, oldest first, and where they point now. */
export async function historyCommand(image: string, args: HistoryArgs, io: CliIO): Promise<ExitStatus> {
  if (!['table', 'json'].includes(args.format)) fail('USAGE', `--format ${args.format}: expected table or json`);
  const { name, tag } = splitImage(image);
  const home = ironcladHome(io);
  const history = await readHistory(home, name);
  const ref = tag === undefined ? undefined : `${name}:${tag}`;
  const entries = history.entries.filter((e) => ref === undefined || e.tags.includes(ref));
  if (entries.length === 0) {
    fail('NOT_FOUND', `no history for ${image}`, {
      hint: 'history is recorded by ironclad update; list the images with: ironclad images',
    });
  }
  const store = await LayoutStore.open(home.store, { create: true });
  const tags = [...new Set(entries.flatMap((e) => e.tags))].filter((t) => ref === undefined || t === ref).sort();
  const current: Record<string, string | null> = {};
  for (const t of tags) current[t] = (await store.resolveTag(t))?.digest ?? null;
  if (args.format === 'json') {
    io.stdout(jsonOutput('history', { name, tags: current, entries }));
    return 0;
  }
  const out: string[] = [];
  for (const t of tags) out.push(`${t}: now ${current[t] ?? 'not tagged'}`);
  for (const e of entries) out.push('', ...entryLines(e));
  io.stdout(out.join('\n'));
  return 0;
}

function splitImage(image: string): { name: string; tag?: string } {
  if (image.includes('@') || image.trim() === '') {
    fail('USAGE', `${image}: expected IMAGE or IMAGE:TAG of the local store`, {
      hint: 'e.g. ironclad history python:3.11',
    });
  }
  if (!image.includes(':')) return { name: image };
  const [name, tag] = splitStoreTag(image);
  return { name, tag };
}

function entryLines(e: HistoryEntry): string[] {
  const why = e.reason === 'lock-changed' ? 'lock changed' : 'built (was not in the store)';
  const lines = [`${e.at}  ${e.tags.join(', ')} → ${e.digest}  (${why})`];
  lines.push(`  previous: ${e.previous ?? 'none'}`);
  if (e.base !== undefined) lines.push(`  ${describeBaseMove(e.base)}`);
  for (const m of e.packages) lines.push(`  ${describeMove(m)} on ${m.platforms.join(', ')}`);
  if (e.fixed?.length) lines.push(`  fixes ${e.fixed.map((v) => `${v.id} (${v.severity})`).join(', ')}`);
  if (e.introduced?.length) lines.push(`  introduces ${e.introduced.map((v) => `${v.id} (${v.severity})`).join(', ')}`);
  if (e.changelog !== undefined) lines.push(`  changelog: ${e.changelog}`);
  return lines;
}

export const registerHistory: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('history')
    .summary('every digest a tag had, when, and what changed at each move')
    .description(
      'Shows the moves ironclad update recorded for an image of the local store: when each tag moved, from which digest to which, the packages that moved and the vulnerabilities that fixed. Every digest listed stays in the store (rmi keeps it) until the history is dropped with rmi --forget-history.',
    )
    .argument('<image[:tag]>', 'an image name (every tag) or NAME:TAG')
    .option('--format <format>', 'table or json', 'table')
    .addHelpText(
      'after',
      `
Examples:
  ironclad history python:3.11
  ironclad history python --format json | jq '.entries[] | {at, digest, fixed}'`,
    )
    .action((image: string, opts: HistoryArgs) => run(historyCommand(image, opts, io)));
};
