import type { Command } from 'commander';
import { fail } from '../core/index.ts';
import { type ImageRef, isLocalDestination, parseImageRef, storeNameFor } from '../oci/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { transfer } from './copy.ts';
import { type RegistryRef, requireRegistry } from './copy-endpoints.ts';
import { renderCopy, reportFormat } from './copy-report.ts';
import type { CliIO, ExitStatus } from './io.ts';
import { SIGNATURE_FORMAT_HELP, signatureFormatOption } from './signature-format.ts';
import { platformOption } from './source.ts';

interface PullArgs {
  platform?: string;
  referrers: boolean;
  insecure?: boolean;
  format: string;
  signatureFormat?: string;
}

/**
 * Where a pull goes: the given OCI layout or store name, else the local store under the repository path
 * (storeNameFor). A registry destination is a copy, not a pull.
 */
function pullDestination(src: RegistryRef, target: string | undefined): ImageRef {
  if (target === undefined) return storeNameFor(src);
  const dst = parseImageRef(target);
  if (!isLocalDestination(dst)) {
    fail('USAGE', `pull writes into the local store or an OCI layout, not ${target}`, {
      hint: 'give oci:DIR[:TAG] or a local NAME[:TAG]; ironclad copy copies between registries',
    });
  }
  return dst;
}

/** Pulls a registry image, verified blob by blob, with every platform and referrer unless narrowed. */
export async function pullCommand(
  image: string,
  target: string | undefined,
  args: PullArgs,
  io: CliIO,
): Promise<ExitStatus> {
  const format = reportFormat(args.format);
  const platform = platformOption(args.platform);
  const src = requireRegistry(parseImageRef(image), 'the image to pull');
  const t = await transfer(
    src,
    pullDestination(src, target),
    {
      allPlatforms: platform === undefined,
      platform,
      referrers: args.referrers,
      insecure: args.insecure,
      signatureFormat: signatureFormatOption(args.signatureFormat),
    },
    io,
  );
  io.stdout(renderCopy(format, 'pulled', t, t.report));
  return 0;
}

export const registerPull: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('pull')
    .summary('pull an image with its SBOMs, signatures and attestations into the local store or an OCI layout')
    .argument('<registry-ref>', 'docker://HOST/REPO[:TAG|@DIGEST] or HOST/REPO[:TAG|@DIGEST]')
    .argument('[destination]', 'oci:DIR[:TAG] or a local NAME[:TAG] (default: the repository path and tag)')
    .option('--platform <os/arch>', 'pull only this platform’s manifest instead of the whole index')
    .option('--no-referrers', 'do not pull SBOMs, signatures and attestations')
    .option(
      '--signature-format <format>',
      `which signatures and attestations to pull: ${SIGNATURE_FORMAT_HELP}`,
      'both',
    )
    .option('--insecure', 'use plain http for the registry (loopback hosts always do)')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      [
        '',
        'The local store name is the repository path without the host: docker://registry.example.com/base/python:3.11',
        'is stored as base/python:3.11 (Docker Hub’s library/ is dropped). A pull by digest alone is stored untagged',
        'and addressed as NAME@sha256:…. Every blob is checked against its digest before it is stored.',
        '',
        'Examples:',
        '  ironclad pull docker://registry.example.com/base/python:3.11',
        '  ironclad pull registry.example.com/base/python:3.11 python:3.11',
        '  ironclad pull ghcr.io/acme/app@sha256:… oci:out --platform linux/arm64',
      ].join('\n'),
    )
    .action((image: string, target: string | undefined, opts: PullArgs) => run(pullCommand(image, target, opts, io)));
};
