import type { Command } from 'commander';
import { fail, jsonOutput } from '../core/index.ts';
import { LayoutStore, listStoreImages, removeStoreImages, splitStoreTag } from '../oci/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { type CliIO, type ExitStatus, ironcladHome } from './io.ts';
import { textOrJson } from './output-format.ts';
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

export async function rmiCommand(
  refs: readonly string[],
  args: { readonly forgetHistory?: boolean; readonly format?: string },
  io: CliIO,
): Promise<ExitStatus> {
  const format = textOrJson(args.format);
  const home = ironcladHome(io);
  let untag = refs;
  if (args.forgetHistory === true) {
    // Loaded only when asked: a plain rmi stays as light as `images`.
    const { forgetHistory } = await import('../update/index.ts');
    const store = await LayoutStore.open(home.store, { create: true });
    for (const ref of refs) await forgetHistory(home, store, imageName(ref));
    // A name whose tags are gone already is fine here: forgetting its history was the point.
    const tags = (await store.listTags()).map((t) => t.name);
    untag = refs.filter((r) => tags.some((t) => t === r || imageName(t) === r));
  }
  const { removed, freedBytes } = await removeStoreImages(home, untag);
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
    .option(
      '--forget-history',
      'also drop the image’s whole update history, so the digests it kept (rmi keeps them otherwise) can go',
    )
    .addHelpText(
      'after',
      [
        '',
        'Digests that an image’s update history references (ironclad history) stay in the store after rmi.',
        '',
        'Examples:',
        '  ironclad rmi python:3.11-dev',
        '  ironclad rmi python --format json',
        '  ironclad rmi python --forget-history   # and every digest its history kept',
      ].join('\n'),
    )
    .action((refs: string[], opts: { forgetHistory?: boolean; format: string }) => run(rmiCommand(refs, opts, io)));
};

/** The image name of `name[:tag]`, as rmi reads it (a bare name means all its tags). */
function imageName(ref: string): string {
  return ref.includes(':') ? splitStoreTag(ref)[0] : ref;
}
