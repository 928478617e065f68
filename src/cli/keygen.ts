import { resolve } from 'node:path';
import type { Command } from 'commander';
import { assertKeyFilesAbsent, generateKeyPair, writeKeyPairFiles } from '../attest/index.ts';
import { jsonOutput } from '../core/index.ts';
import type { VerbRegistrar } from './commands.ts';
import type { CliIO, ExitStatus } from './io.ts';
import { textOrJson } from './output-format.ts';
import { readPassword, type SecretPrompt } from './password.ts';

export interface KeygenArgs {
  readonly prefix: string;
  readonly force: boolean;
  readonly format?: string;
}

/**
 * `ironclad keygen`: writes a cosign-compatible ECDSA P-256 key pair to PREFIX.key (encrypted, 0600) and
 * PREFIX.pub. Prints the file paths and the key fingerprint on stdout.
 */
export async function keygenCommand(args: KeygenArgs, io: CliIO, prompt?: SecretPrompt): Promise<ExitStatus> {
  const output = textOrJson(args.format);
  const prefix = resolve(io.cwd, args.prefix);
  // Refuse before asking for a password, not after the user typed it twice.
  if (!args.force) await assertKeyFilesAbsent(prefix);
  const password = await readPassword(io, { confirm: true, purpose: 'the new private key' }, prompt);
  if (password === '') io.log.warn('the private key is not protected by a password');
  const pair = await generateKeyPair(password);
  const paths = await writeKeyPairFiles(prefix, pair, { force: args.force });
  io.stdout(
    output === 'json'
      ? jsonOutput('keygen', {
          privateKey: paths.privateKey,
          publicKey: paths.publicKey,
          fingerprint: pair.fingerprint,
        })
      : `private key: ${paths.privateKey}\npublic key:  ${paths.publicKey}\nfingerprint: ${pair.fingerprint}`,
  );
  return 0;
}

const EXAMPLES = `
Examples:
  $ ironclad keygen                          # writes ironclad.key and ironclad.pub
  $ ironclad keygen --prefix release         # writes release.key and release.pub
  $ IRONCLAD_PASSWORD=... ironclad keygen    # non-interactive, e.g. in CI
  $ ironclad keygen --prefix ci --format json   # the paths and the fingerprint as JSON

The private key is encrypted with the password (scrypt + secretbox) in the same format as cosign's
generate-key-pair, so cosign can use it and Ironclad can use keys made by cosign.`;

export const registerKeygen: VerbRegistrar = (program: Command, io: CliIO, run) => {
  program
    .command('keygen')
    .description('Generate a password-protected signing key pair (cosign-compatible ECDSA P-256)')
    .option('--prefix <name>', 'write NAME.key and NAME.pub', 'ironclad')
    .option('--force', 'overwrite existing key files', false)
    .option('--format <format>', 'text or json', 'text')
    .addHelpText('after', EXAMPLES)
    .action((opts: { prefix: string; force: boolean; format: string }) => {
      run(keygenCommand({ prefix: opts.prefix, force: opts.force, format: opts.format }, io));
    });
};
