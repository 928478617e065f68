import type { Command } from 'commander';
import { type ImageVerification, REQUIREMENTS, verifyImage } from '../attest/index.ts';
import { fail } from '../core/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { loadPublicKeyFile, openTarget } from './image-target.ts';
import type { CliIO, ExitStatus } from './io.ts';

/** What `verify` requires when `--require` is not given: what `build --key` always attaches. */
export const DEFAULT_REQUIRE = 'provenance,sbom';

export interface VerifyArgs {
  readonly image: string;
  readonly key: string;
  readonly require: string;
  readonly format: string;
}

/**
 * `ironclad verify`: checks the image signature and each required attestation on each platform manifest with a
 * public key. Prints every check; exit 0 only when all pass, else 3 with the failed checks named on stderr.
 */
export async function verifyCommand(args: VerifyArgs, io: CliIO): Promise<ExitStatus> {
  if (!['text', 'json'].includes(args.format)) fail('USAGE', `--format ${args.format}: expected text or json`);
  const require = parseRequire(args.require);
  const publicKey = await loadPublicKeyFile(args.key, io);
  const { sink, target } = await openTarget(args.image, io);
  const report = await verifyImage(sink, target, publicKey, require);
  io.stdout(args.format === 'json' ? JSON.stringify({ image: args.image, ...report }, null, 2) : renderText(report));
  if (report.ok) return 0;
  const failed = report.checks.filter((c) => !c.ok);
  io.stderr(
    `error: verification failed: ${failed.map((c) => `${c.check}${c.platform ? ` (${c.platform})` : ''}`).join(', ')}`,
  );
  return 3;
}

/** `--require a,b` → names; `none` (or empty) requires only the signature. */
function parseRequire(text: string): string[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'none');
  return [...new Set(items)];
}

function renderText(r: ImageVerification): string {
  const lines = r.checks.map((c) => {
    const where = c.platform === undefined ? '' : ` ${c.platform}`;
    return `${c.ok ? 'ok  ' : 'FAIL'}  ${c.check}${where}  ${c.subject.slice(0, 19)}  ${c.detail}`;
  });
  lines.push(r.ok ? 'verified' : 'NOT verified');
  return lines.join('\n');
}

export const registerVerify: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('verify')
    .summary('verify an image signature and its required attestations with a public key')
    .description(
      'Checks that the image (its index, or each platform manifest) is signed with the key, and that each\n' +
        'platform manifest has every required attestation, signed with the key, naming that manifest and\n' +
        'having the required predicate type. Exit status 3 when anything fails.',
    )
    .argument(
      '<image>',
      'image in the local store (name:tag), an OCI layout (oci:DIR[:TAG]) or a registry (docker://HOST/REPO:TAG)',
    )
    .requiredOption('--key <file>', 'public key (PEM)')
    .option(
      '--require <list>',
      `comma-separated: ${Object.keys(REQUIREMENTS).join(', ')}, predicate type URIs, or none`,
      DEFAULT_REQUIRE,
    )
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      `
Examples:
  ironclad verify python:3.11 --key ironclad.pub
  ironclad verify oci:./out:3.11 --key ironclad.pub --require provenance,sbom,vex,tests --format json
  ironclad verify docker://registry.example.com/team/python:3.11 --key ironclad.pub`,
    )
    .action((image: string, opts: Omit<VerifyArgs, 'image'>) => run(verifyCommand({ image, ...opts }, io)));
};
