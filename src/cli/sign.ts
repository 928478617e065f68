import type { Command } from 'commander';
import {
  type AttachedImage,
  attachBuildAttestations,
  attachSignature,
  type Signer,
  selectPlatforms,
} from '../attest/index.ts';
import { fail, jsonOutput, type StageContext } from '../core/index.ts';
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
  /** The name recorded as the payload's docker-reference instead of the name the image is signed under. */
  readonly identity?: string;
}

/**
 * A repository name as the distribution reference grammar spells one (optional `host[:port]/`, lower-case path
 * components separated by `.`, `_`, `__` or dashes), without tag or digest.
 */
const REPOSITORY_NAME =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** `--identity NAME` checked against the reference grammar. @throws USAGE for a tag, digest or bad name. */
function identityOption(value: string | undefined): string | undefined {
  if (value === undefined || REPOSITORY_NAME.test(value)) return value;
  return fail('USAGE', `--identity ${value}: expected a repository name without tag or digest`, {
    hint: 'e.g. --identity registry.example.com/team/python (the name the image is pulled as)',
  });
}

/**
 * `ironclad sign`: signs an image in the store, an oci: layout or a registry — the index (when there is one) and every
 * platform manifest — and stores each signature as an OCI referrer (sigstore bundle) and/or in cosign's
 * `sha256-<digest>.sig` tag (`--signature-format`). Prints one line per signature.
 */
export async function signCommand(args: SignArgs, io: CliIO): Promise<ExitStatus> {
  const output = textOrJson(args.format);
  const format = signatureFormatOption(args.signatureFormat);
  const identity = identityOption(args.identity);
  const opened = await openTarget(args.image, io, format);
  const { sink, target } = opened;
  const repository = identity ?? opened.repository;
  const signer = await loadSigner(args.key, io);
  const signed: { subject: string; digest: string; referrer: string; reused: boolean }[] = [];
  const isIndex = target.platforms[0]?.digest !== target.top.digest;
  if (isIndex && args.platform === undefined) {
    const { referrer, reused } = await attachSignature(sink, target.top, repository, signer);
    signed.push({ subject: 'index', digest: target.top.digest, referrer: referrer.digest, reused });
  }
  for (const m of selectPlatforms(target, args.platform)) {
    const { referrer, reused } = await attachSignature(sink, m, repository, signer);
    signed.push({ subject: platformLabel(m), digest: m.digest, referrer: referrer.digest, reused });
  }
  if (output === 'json') {
    const body = { image: args.image, identity: repository, keyHint: signer.keyHint, signatureFormat: format, signed };
    io.stdout(jsonOutput('sign', body));
    return 0;
  }
  // Subjects differ in length (index, linux/amd64, linux/arm64/v8): pad to the longest so digests line up.
  const width = Math.max(...signed.map((s) => s.subject.length));
  const lines = signed.map(
    (s) =>
      `${s.reused ? 'already signed' : 'signed'} ${s.subject.padEnd(width)}  ${s.digest}  → ${s.referrer}` +
      (s.reused ? '  (a valid signature by this key; nothing new signed)' : ''),
  );
  io.stdout(`${lines.join('\n')}\nidentity: ${repository}\nkey: ${signer.keyHint}`);
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
  for (const image of attached) io.log.info(`${image.name}: ${attachedSummary(image)}`);
  return attached;
}

/** What signing a build attached, and what it found signed with this key already and kept as it was. */
function attachedSummary(image: AttachedImage): string {
  const signatures = [image.signature, ...image.platforms.map((p) => p.signature)];
  const attestations = [...image.attestations, ...image.platforms.flatMap((p) => p.attestations)];
  const kept = [...signatures, ...attestations].filter((a) => a.reused).length;
  if (kept === signatures.length + attestations.length) {
    return 'already signed and attested with this key; nothing new signed';
  }
  const newSignatures = signatures.filter((s) => !s.reused).length;
  const newAttestations = attestations.filter((a) => !a.reused).length;
  const summary = `signed ${newSignatures} manifests, ${newAttestations} attestations attached`;
  return kept === 0 ? summary : `${summary}; ${kept} signed already with this key, kept as they were`;
}

export const registerSign: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('sign')
    .summary('sign an image (index and platform manifests) with a key')
    .description(
      'Signs the image index and each platform manifest (cosign simple-signing payload) and stores the signatures ' +
        'beside the image as OCI 1.1 referrers (sigstore bundle v0.3) and in cosign’s sha256-<digest>.sig tags ' +
        '(see --signature-format; docs/attestations.md describes both layouts). A subject that already carries a ' +
        'valid signature by the same key over the same payload keeps it: nothing new is signed, and the output ' +
        'says "already signed".',
    )
    .argument(
      '<image>',
      'image in the local store (name:tag), an OCI layout (oci:DIR[:TAG]) or a registry (docker://HOST/REPO:TAG)',
    )
    .requiredOption('--key <file>', 'private key (from ironclad keygen or cosign generate-key-pair)')
    .option('--platform <os/arch>', 'sign only this platform manifest')
    .option('--signature-format <format>', SIGNATURE_FORMAT_HELP, 'both')
    .option(
      '--identity <name>',
      'repository name recorded as the docker-reference of the signed payload (default: the name signed under; ' +
        'containers/image policies compare it with the name pulled)',
    )
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      `
Examples:
  IRONCLAD_PASSWORD=... ironclad sign python:3.11 --key ironclad.key
  ironclad sign python:3.11 --key ironclad.key --identity registry.example.com/team/python
  ironclad sign oci:./out:3.11 --key release.key
  ironclad sign docker://registry.example.com/team/python:3.11 --key release.key
  ironclad sign docker://registry.example.com/team/python:3.11 --key release.key --signature-format tags
  ironclad sign oci:./out:3.11 --key release.key --format json`,
    )
    .action((image: string, opts: Omit<SignArgs, 'image'>) => run(signCommand({ image, ...opts }, io)));
};
