import type { Command } from 'commander';
import { fail, jsonOutput } from '../core/index.ts';
import { listStoreImages, removeStoreImages } from '../oci/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { type CliIO, type ExitStatus, ironcladHome } from './io.ts';
import { formatBytes, renderTable } from './table.ts';

export async function imagesCommand(args: { format: string }, io: CliIO): Promise<ExitStatus> {
  if (args.format !== 'table' && args.format !== 'json')
    fail('USAGE', `--format ${args.format}: expected table or json`);
  const images = await listStoreImages(ironcladHome(io));
  if (args.format === 'json') {
    const json = images.map((i) => ({
      name: i.name,
      tag: i.tag,
      digest: i.descriptor.digest,
      size: i.size,
      platforms: i.platforms,
    }));
    io.stdout(jsonOutput('images', { images: json }));
    return 0;
  }
  // One row per platform: what a pull of that platform fetches, not the sum over platforms.
  io.stdout(
    renderTable(
      ['NAME', 'TAG', 'VARIANT', 'PLATFORM', 'DIGEST', 'SIZE', 'CREATED'],
      images.flatMap((i) =>
        i.platforms.map((p) => [
          i.name,
          i.tag,
          p.variant ?? '-',
          p.platform,
          i.descriptor.digest.slice(7, 19),
          formatBytes(p.size),
          p.created ?? '',
        ]),
      ),
      [5],
    ),
  );
  return 0;
}

export async function rmiCommand(refs: readonly string[], io: CliIO, format = 'text'): Promise<ExitStatus> {
  if (format !== 'text' && format !== 'json') fail('USAGE', `--format ${format}: expected text or json`);
  const { removed, freedBytes } = await removeStoreImages(ironcladHome(io), refs);
  if (format === 'json') {
    io.stdout(jsonOutput('rmi', { removed, freedBytes }));
    return 0;
  }
  for (const r of removed) io.stdout(`untagged ${r}`);
  io.stdout(`freed ${formatBytes(freedBytes)}`);
  return 0;
}

export const registerImages: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('images')
    .summary('list the images in the local store')
    .option('--format <format>', 'table or json', 'table')
    .addHelpText('after', '\nExamples:\n  ironclad images\n  ironclad images --format json')
    .action((opts: { format: string }) => run(imagesCommand(opts, io)));
  program
    .command('rmi')
    .summary('remove images from the local store')
    .argument('<name[:tag]...>', 'tags to remove; a bare name removes all its tags')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText('after', '\nExamples:\n  ironclad rmi python:3.11-dev\n  ironclad rmi python --format json')
    .action((refs: string[], opts: { format: string }) => run(rmiCommand(refs, io, opts.format)));
};
