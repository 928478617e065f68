import type { KeyObject } from 'node:crypto';
import type { Command } from 'commander';
import { addSignatureForms, referrerFormsOfTags, tagOnlyEvidence } from '../attest/index.ts';
import { fail } from '../core/index.ts';
import { type Descriptor, type ImageEndpoint, type ImageRef, imageSourceFrom, parseImageRef } from '../oci/index.ts';
import { type Transfer, type TransferOptions, transferImage } from '../registry/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { renderCopy, reportFormat } from './copy-report.ts';
import { loadPublicKeyFile } from './image-target.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { SIGNATURE_FORMAT_HELP, signatureFormatOption } from './signature-format.ts';
import { cliRegistryAccess, openRef, platformOption } from './source.ts';

/**
 * Push, pull and copy: the registry module's transfer, with this invocation's registry access (`--insecure`) and
 * its endpoints (the store under the home, the host's platform preferred). When the signature format asks for
 * cosign tags, signatures the source keeps only as OCI referrers get their tag form at the destination too. With
 * `convertKey` and a format that writes referrers, signatures the source keeps in cosign tags are verified with
 * that key before anything is copied (exit 3 naming any that fails) and stored as OCI referrers too.
 */
export async function transfer(
  src: ImageRef,
  dst: ImageRef,
  opts: TransferOptions & { readonly insecure?: boolean | undefined; readonly convertKey?: KeyObject | undefined },
  io: CliIO,
): Promise<Transfer> {
  const access = cliRegistryAccess(io, opts.insecure === true);
  const format = opts.signatureFormat ?? 'both';
  const from = openRef(src, io, { access });
  const fromTags =
    opts.referrers && format !== 'tags' && opts.convertKey !== undefined
      ? await referrerFormsOfTags(from.referrers, await subjectsOf(from), opts.convertKey)
      : [];
  const t = await transferImage(src, dst, opts, (ref) => openRef(ref, io, { access }), stageContext(io));
  if (!opts.referrers) return t;
  const copied = await subjectsOf(openRef(dst, io, { access }), t.report.descriptor);
  if (format !== 'referrers') {
    const to = openRef(dst, io, { access, signatureFormat: 'tags' });
    const n = await addSignatureForms(from.referrers, to.referrers, copied);
    if (n > 0) io.log.info(`${n} signatures and attestations also kept as cosign tags at ${t.destination}`);
  }
  if (opts.convertKey !== undefined && format !== 'tags') {
    const to = openRef(dst, io, { access, signatureFormat: 'referrers' });
    const digests = new Set<string>(copied.map((d) => d.digest));
    const wanted = fromTags.filter((a) => digests.has(a.subject.digest));
    for (const artifact of wanted) await to.referrers.attach(artifact);
    io.log.info(`${wanted.length} signatures and attestations from cosign tags verified and kept as OCI referrers`);
  } else if (format === 'referrers') {
    const left = await tagOnlyEvidence(from.referrers, copied);
    if (left > 0) {
      io.log.warn(
        `${left} signatures and attestations the source keeps only in cosign tags were left behind ` +
          '(--signature-format referrers); give --key with their public key to verify them and keep them as referrers',
      );
    }
  }
  return t;
}

/** The top-level descriptor of `end` (or `top` there) and its platform manifests: what signatures are about. */
async function subjectsOf(end: ImageEndpoint, top?: Descriptor): Promise<Descriptor[]> {
  const source = top === undefined ? end.source : imageSourceFrom(end.store, top.digest);
  const { desc } = await source.top();
  return [desc, ...(await source.manifests())];
}

interface CopyArgs {
  allPlatforms?: boolean;
  platform?: string;
  referrers?: boolean;
  insecure?: boolean;
  format: string;
  signatureFormat?: string;
  key?: string;
}

export async function copyCommand(source: string, target: string, args: CopyArgs, io: CliIO): Promise<ExitStatus> {
  const format = reportFormat(args.format);
  const platform = platformOption(args.platform);
  if (args.key !== undefined && (args.referrers !== true || args.signatureFormat === 'tags')) {
    fail(
      'USAGE',
      '--key converts cosign-tag signatures into OCI referrers: it needs --referrers and a format that writes referrers',
      {
        hint: 'e.g. ironclad copy SRC DST --all-platforms --referrers --signature-format referrers --key ironclad.pub',
      },
    );
  }
  const convertKey = args.key === undefined ? undefined : await loadPublicKeyFile(args.key, io);
  const t = await transfer(
    parseImageRef(source),
    parseImageRef(target),
    {
      allPlatforms: args.allPlatforms === true,
      platform,
      referrers: args.referrers === true,
      insecure: args.insecure,
      signatureFormat: signatureFormatOption(args.signatureFormat),
      convertKey,
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
    .option(
      '--key <file>',
      'with --referrers: verify the signatures the source keeps in cosign .sig/.att tags with this public key, and ' +
        'store them as OCI referrers too (refused, exit 3, if any does not verify)',
    )
    .option('--insecure', 'use plain http for the registries (loopback hosts always do)')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      [
        '',
        'Without a tag the destination takes the source’s tag. Blobs already at the destination are skipped.',
        'Signatures kept only as OCI referrers get their cosign tag form with --signature-format both or tags;',
        'signatures kept only in cosign tags become OCI referrers with --key (verified first).',
        '',
        'Examples:',
        '  ironclad copy docker://ghcr.io/acme/python:3.11 oci:out:3.11 --all-platforms --referrers',
        '  ironclad copy oci:out:3.11 docker://registry.example.com/python:3.11 --platform linux/arm64',
        '  ironclad copy docker://127.0.0.1:5000/python:3.11 python:mirror --all-platforms --format json',
        '  ironclad copy python:3.11 docker://127.0.0.1:5000/python:3.11 --referrers --signature-format tags',
        '  ironclad copy docker://127.0.0.1:5000/old:1 docker://127.0.0.1:5000/new:1 --all-platforms --referrers \\',
        '      --signature-format referrers --key ironclad.pub',
      ].join('\n'),
    )
    .action((src: string, dst: string, opts: CopyArgs) => run(copyCommand(src, dst, opts, io)));
};
