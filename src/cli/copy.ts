import type { Command } from 'commander';
import { addSignatureForms } from '../attest/index.ts';
import { type ImageRef, imageSourceFrom, parseImageRef } from '../oci/index.ts';
import { type Transfer, type TransferOptions, transferImage } from '../registry/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { renderCopy, reportFormat } from './copy-report.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { SIGNATURE_FORMAT_HELP, signatureFormatOption } from './signature-format.ts';
import { cliRegistryAccess, openRef, platformOption } from './source.ts';

/**
 * Push, pull and copy: the registry module's transfer, with this invocation's registry access (`--insecure`) and
 * its endpoints (the store under the home, the host's platform preferred). When the signature format asks for
 * cosign tags, signatures the source keeps only as OCI referrers get their tag form at the destination too.
 */
export async function transfer(
  src: ImageRef,
  dst: ImageRef,
  opts: TransferOptions & { readonly insecure?: boolean | undefined },
  io: CliIO,
): Promise<Transfer> {
  const access = cliRegistryAccess(io, opts.insecure === true);
  const t = await transferImage(src, dst, opts, (ref) => openRef(ref, io, { access }), stageContext(io));
  if (opts.referrers && (opts.signatureFormat ?? 'both') !== 'referrers') {
    const to = openRef(dst, io, { access, signatureFormat: 'tags' });
    const copied = imageSourceFrom(to.store, t.report.descriptor.digest);
    const subjects = [t.report.descriptor, ...(await copied.manifests())];
    const from = openRef(src, io, { access }).referrers;
    const n = await addSignatureForms(from, to.referrers, subjects);
    if (n > 0) io.log.info(`${n} signatures and attestations also kept as cosign tags at ${t.destination}`);
  }
  return t;
}

interface CopyArgs {
  allPlatforms?: boolean;
  platform?: string;
  referrers?: boolean;
  insecure?: boolean;
  format: string;
  signatureFormat?: string;
}

export async function copyCommand(source: string, target: string, args: CopyArgs, io: CliIO): Promise<ExitStatus> {
  const format = reportFormat(args.format);
  const platform = platformOption(args.platform);
  const t = await transfer(
    parseImageRef(source),
    parseImageRef(target),
    {
      allPlatforms: args.allPlatforms === true,
      platform,
      referrers: args.referrers === true,
      insecure: args.insecure,
      signatureFormat: signatureFormatOption(args.signatureFormat),
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
    .option(
      '--signature-format <format>',
      `with --referrers, which signatures to copy: ${SIGNATURE_FORMAT_HELP}`,
      'both',
    )
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
        '  ironclad copy python:3.11 docker://127.0.0.1:5000/python:3.11 --referrers --signature-format tags',
      ].join('\n'),
    )
    .action((src: string, dst: string, opts: CopyArgs) => run(copyCommand(src, dst, opts, io)));
};
