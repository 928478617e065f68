import type { Command } from 'commander';
import { parseImageRef } from '../oci/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { transfer } from './copy.ts';
import { requireRegistry } from './copy-endpoints.ts';
import { renderCopy, reportFormat } from './copy-report.ts';
import type { CliIO, ExitStatus } from './io.ts';
import { SIGNATURE_FORMAT_HELP, signatureFormatOption } from './signature-format.ts';
import { platformOption } from './source.ts';

interface PushArgs {
  platform?: string;
  referrers: boolean;
  insecure?: boolean;
  format: string;
  signatureFormat?: string;
}

/**
 * Pushes any image (store name, oci:, docker-archive:, another registry) to a registry repository: the whole
 * index with every platform and every referrer (SBOMs, signatures, attestations) unless narrowed.
 */
export async function pushCommand(image: string, target: string, args: PushArgs, io: CliIO): Promise<ExitStatus> {
  const format = reportFormat(args.format);
  const platform = platformOption(args.platform);
  const dst = requireRegistry(parseImageRef(target), 'the push destination');
  const t = await transfer(
    parseImageRef(image),
    dst,
    {
      allPlatforms: platform === undefined,
      platform,
      referrers: args.referrers,
      insecure: args.insecure,
      signatureFormat: signatureFormatOption(args.signatureFormat),
    },
    io,
  );
  io.stdout(renderCopy(format, 'pushed', t, t.report));
  return 0;
}

export const registerPush: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('push')
    .summary('push an image with all its platforms, SBOMs, signatures and attestations to a registry')
    .argument('<image-ref>', 'python:3.11, oci:DIR[:TAG], docker-archive:FILE or docker://HOST/REPO:TAG')
    .argument('<registry-ref>', 'docker://HOST/REPO[:TAG] or HOST/REPO[:TAG]; without a tag, the source’s')
    .option('--platform <os/arch>', 'push only this platform’s manifest instead of the whole index')
    .option('--no-referrers', 'do not push SBOMs, signatures and attestations')
    .option(
      '--signature-format <format>',
      `which signatures and attestations to push: ${SIGNATURE_FORMAT_HELP}`,
      'both',
    )
    .option('--insecure', 'use plain http for the registry (loopback hosts always do)')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      [
        '',
        'Credentials: ironclad login, the Docker config (DOCKER_CONFIG), or IRONCLAD_REGISTRY_USER/_PASSWORD.',
        'Blobs the registry already has are skipped, so pushing a patch rebuild sends only changed layers.',
        '',
        'Examples:',
        '  ironclad push python:3.11 docker://registry.example.com/base/python:3.11',
        '  ironclad push oci:out:3.11 registry.example.com/base/python --platform linux/amd64',
        '  ironclad push python:3.11 ghcr.io/acme/python:3.11 --format json',
      ].join('\n'),
    )
    .action((image: string, target: string, opts: PushArgs) => run(pushCommand(image, target, opts, io)));
};
