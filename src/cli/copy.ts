import type { Command } from 'commander';
import { hostPlatform, type ImageRef, type Platform, parseImageRef, sourceTag } from '../oci/index.ts';
import { type CopyReport, copyImage } from '../registry/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { copyDestination, copySource } from './copy-endpoints.ts';
import { renderCopy, reportFormat } from './copy-report.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { cliRegistryAccess, platformOption } from './source.ts';

export interface TransferOptions {
  /** Every platform of an index; otherwise only `platform`'s manifest (the host's when not given). */
  readonly allPlatforms: boolean;
  readonly platform?: Platform | undefined;
  /** SBOMs, signatures and attestations attached to the image, recursively. */
  readonly referrers: boolean;
  /** Plain http for every registry of this command. */
  readonly insecure?: boolean | undefined;
  /** The destination tag when the destination reference has none; default: the source's tag. */
  readonly tag?: string | undefined;
}

export interface Transfer {
  readonly source: string;
  readonly destination: string;
  readonly report: CopyReport;
}

/**
 * The one copy behind push, pull and copy: opens both ends, copies (every blob verified against its
 * descriptor before it becomes visible at the destination; what is already there is skipped), and names
 * the result. Progress goes to the logger, which shows it on a TTY only.
 */
export async function transferImage(src: ImageRef, dst: ImageRef, opts: TransferOptions, io: CliIO): Promise<Transfer> {
  const ctx = stageContext(io);
  const access = cliRegistryAccess(io, opts.insecure === true);
  const from = copySource(src, io, access);
  const to = copyDestination(dst, opts.tag ?? sourceTag(src), io, access);
  const report = await copyImage(
    from.value,
    to.value.sink,
    {
      allPlatforms: opts.allPlatforms,
      referrers: opts.referrers,
      ...(!opts.allPlatforms && { platform: opts.platform ?? hostPlatform() }),
      ...(to.value.tag !== undefined && { tag: to.value.tag }),
    },
    ctx,
  );
  // Stored by digest only: say how to address it.
  const byDigest = to.value.tag === undefined && to.value.byDigest;
  const destination = byDigest ? `${to.display}@${report.descriptor.digest}` : to.display;
  return { source: from.display, destination, report };
}

interface CopyArgs {
  allPlatforms?: boolean;
  platform?: string;
  referrers?: boolean;
  insecure?: boolean;
  format: string;
}

export async function copyCommand(source: string, target: string, args: CopyArgs, io: CliIO): Promise<ExitStatus> {
  const format = reportFormat(args.format);
  const platform = platformOption(args.platform);
  const t = await transferImage(
    parseImageRef(source),
    parseImageRef(target),
    {
      allPlatforms: args.allPlatforms === true,
      platform,
      referrers: args.referrers === true,
      insecure: args.insecure,
    },
    io,
  );
  io.stdout(renderCopy(format, 'copied to', t, t.report));
  return 0;
}

export const registerCopy: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('copy')
    .summary('copy an image between registries, OCI layouts and the local store')
    .argument('<src-ref>', 'python:3.11, oci:DIR[:TAG], docker-archive:FILE or docker://HOST/REPO[:TAG|@DIGEST]')
    .argument('<dst-ref>', 'docker://HOST/REPO[:TAG], oci:DIR[:TAG] or a local NAME[:TAG]')
    .option('--all-platforms', 'copy every platform of an index (default: only --platform, or this host’s)')
    .option('--platform <os/arch>', 'the platform to copy from an index')
    .option('--referrers', 'also copy SBOMs, signatures and attestations attached to the image')
    .option('--insecure', 'use plain http for the registries (loopback hosts always do)')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      [
        '',
        'Without a tag the destination takes the source’s tag. Blobs already at the destination are skipped.',
        '',
        'Examples:',
        '  ironclad copy docker://ghcr.io/acme/python:3.11 oci:out:3.11 --all-platforms --referrers',
        '  ironclad copy oci:out:3.11 docker://registry.example.com/python:3.11 --platform linux/arm64',
        '  ironclad copy docker://127.0.0.1:5000/python:3.11 python:mirror --all-platforms --format json',
      ].join('\n'),
    )
    .action((src: string, dst: string, opts: CopyArgs) => run(copyCommand(src, dst, opts, io)));
};
