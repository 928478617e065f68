import type { Command } from 'commander';
import {
  type AttachedImage,
  attachBuildAttestations,
  attachSignature,
  type Signer,
  selectPlatforms,
} from '../attest/index.ts';
import { jsonOutput, type StageContext } from '../core/index.ts';
import { repoRelativePath } from '../definition/index.ts';
import type { BuildResult } from '../image/index.ts';
import { DEFAULT_SIGNATURE_FORMAT, type SignatureFormat } from '../oci/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { loadSigner, openTarget, platformLabel } from './image-target.ts';
import type { CliIO, ExitStatus } from './io.ts';
import { textOrJson } from './output-format.ts';
import { SIGNATURE_FORMAT_HELP, signatureFormatOption } from './signature-format.ts';

export interface SignArgs {
  readonly image: string;
  readonly key: string;
  readonly platform?: string;
  readonly signatureFormat?: string;
  readonly format?: string;
}

/**
 * `ironclad sign`: signs an image in the store, an oci: layout or a registry — the index (when there is one) and every
 * platform manifest — and stores each signature as an OCI referrer (sigstore bundle) and/or in cosign's
 * `sha256-<digest>.sig` tag (`--signature-format`). Prints one line per signature.
 */
export async function signCommand(args: SignArgs, io: CliIO): Promise<ExitStatus> {
  const output = textOrJson(args.format);
  const format = signatureFormatOption(args.signatureFormat);
  const { sink, target, repository } = await openTarget(args.image, io, format);
  const signer = await loadSigner(args.key, io);
  const signed: { subject: string; digest: string; referrer: string }[] = [];
  const isIndex = target.platforms[0]?.digest !== target.top.digest;
  if (isIndex && args.platform === undefined) {
    const referrer = await attachSignature(sink, target.top, repository, signer);
    signed.push({ subject: 'index', digest: target.top.digest, referrer: referrer.digest });
  }
  for (const m of selectPlatforms(target, args.platform)) {
    const referrer = await attachSignature(sink, m, repository, signer);
    signed.push({ subject: platformLabel(m), digest: m.digest, referrer: referrer.digest });
  }
  if (output === 'json') {
    io.stdout(jsonOutput('sign', { image: args.image, keyHint: signer.keyHint, signatureFormat: format, signed }));
    return 0;
  }
  // Subjects differ in length (index, linux/amd64, linux/arm64/v8): pad to the longest so digests line up.
  const width = Math.max(...signed.map((s) => s.subject.length));
  const lines = signed.map((s) => `signed ${s.subject.padEnd(width)}  ${s.digest}  → ${s.referrer}`);
  io.stdout(`${lines.join('\n')}\nkey: ${signer.keyHint}`);
  return 0;
}

/**
 * The `build --key` step: signs and attests everything a build produced (attachBuildAttestations) and reports
 * it on stderr, so the build's stdout stays what it was. The definition path recorded in provenance is made
 * relative to the repository holding it (the nearest directory with `.git`, else the working directory).
 */
export async function signBuild(
  result: BuildResult,
  signer: Signer,
  io: CliIO,
  ctx: StageContext,
  signatureFormat: SignatureFormat = DEFAULT_SIGNATURE_FORMAT,
): Promise<readonly AttachedImage[]> {
  const attached = await attachBuildAttestations(result, signer, ctx, {
    definitionPath: repoRelativePath(result.definition.path, io.cwd),
    signatureFormat,
  });
  for (const image of attached) {
    const count = image.platforms.reduce((n, p) => n + p.attestations.length, 0);
    io.log.info(`${image.name}: signed ${image.platforms.length + 1} manifests, ${count} attestations attached`);
  }
  return attached;
}

export const registerSign: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('sign')
    .summary('sign an image (index and platform manifests) with a key')
    .description(
      'Signs the image index and each platform manifest (cosign simple-signing payload) and stores the signatures ' +
        'beside the image as OCI 1.1 referrers (sigstore bundle v0.3) and in cosign’s sha256-<digest>.sig tags ' +
        '(see --signature-format; docs/attestations.md describes both layouts).',
    )
    .argument(
      '<image>',
      'image in the local store (name:tag), an OCI layout (oci:DIR[:TAG]) or a registry (docker://HOST/REPO:TAG)',
    )
    .requiredOption('--key <file>', 'private key (from ironclad keygen or cosign generate-key-pair)')
    .option('--platform <os/arch>', 'sign only this platform manifest')
    .option('--signature-format <format>', SIGNATURE_FORMAT_HELP, 'both')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      `
Examples:
  IRONCLAD_PASSWORD=... ironclad sign python:3.11 --key ironclad.key
  ironclad sign oci:./out:3.11 --key release.key
  ironclad sign docker://registry.example.com/team/python:3.11 --key release.key
  ironclad sign docker://registry.example.com/team/python:3.11 --key release.key --signature-format tags
  ironclad sign oci:./out:3.11 --key release.key --format json`,
    )
    .action((image: string, opts: Omit<SignArgs, 'image'>) => run(signCommand({ image, ...opts }, io)));
};
