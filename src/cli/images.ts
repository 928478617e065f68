import type { Command } from 'commander';
import { fail } from '../core/index.ts';
import { listStoreImages, removeStoreImages } from '../oci/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { type CliIO, type ExitStatus, ironcladHome } from './io.ts';
import { formatBytes, renderTable } from './table.ts';

export async function imagesCommand(args: { format: string }, io: CliIO): Promise<ExitStatus> {
  if (args.format !== 'table' && args.format !== 'json')
    fail('USAGE', `--format ${args.format}: expected table or json`);
  const images = await listStoreImages(ironcladHome(io));
  if (args.format === 'json') {
    io.stdout(
      JSON.stringify(
        images.map((i) => ({
          name: i.name,
          tag: i.tag,
          digest: i.descriptor.digest,
          size: i.size,
          platforms: i.platforms,
          created: i.created,
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  io.stdout(
    renderTable(
      ['NAME', 'TAG', 'DIGEST', 'PLATFORMS', 'SIZE', 'CREATED'],
      images.map((i) => [
        i.name,
        i.tag,
        i.descriptor.digest.slice(7, 19),
        i.platforms.join(','),
        formatBytes(i.size),
        i.created ?? '',
      ]),
      [4],
    ),
  );
  return 0;
}

export async function rmiCommand(refs: readonly string[], io: CliIO): Promise<ExitStatus> {
  const { removed, freedBytes } = await removeStoreImages(ironcladHome(io), refs);
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
    .addHelpText('after', '\nExamples:\n  ironclad rmi python:3.11-dev\n  ironclad rmi python')
    .action((refs: string[]) => run(rmiCommand(refs, io)));
};
