import type { Command } from 'commander';
import { fail } from '../core/index.ts';
import { isRegistryHost } from '../oci/index.ts';
import {
  clientFor,
  normalizeRegistryKey,
  type RegistryCredentials,
  resolveCredentials,
  saveLogin,
} from '../registry/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { type CliIO, type ExitStatus, ironcladHome, stageContext } from './io.ts';
import { type SecretPrompt, ttyPrompt } from './password.ts';
import { registrySettings } from './source.ts';

/**
 * `ironclad login`: checks credentials against the registry (GET /v2/) and keeps them in the login store
 * `<home>/auth.json` (mode 0600, Docker's `auths` format), which every later command reads first.
 */

interface LoginArgs {
  username?: string;
  passwordStdin?: boolean;
  insecure?: boolean;
}

/** Where a password can come from; injectable so tests need no terminal. */
export interface SecretInput {
  /** Read for --password-stdin. */
  readonly stdin: AsyncIterable<Uint8Array | string>;
  /** The no-echo terminal prompt; undefined when there is no terminal. */
  readonly prompt: SecretPrompt | undefined;
}

const MAX_PASSWORD_BYTES = 64 * 1024;

const processInput = (): SecretInput => ({
  stdin: process.stdin,
  prompt: process.stdin.isTTY ? ttyPrompt : undefined,
});

/** `HOST`, `docker://HOST`, `https://HOST/v1/` → `host[:port]`; USAGE when nothing is left. */
function registryHost(text: string): string {
  const host = normalizeRegistryKey(text.trim());
  if (!isRegistryHost(host)) {
    fail('USAGE', `"${text.slice(0, 100)}" is not a registry host`, {
      hint: 'e.g. ghcr.io or registry.example.com:5000',
    });
  }
  return host;
}

/** All of stdin up to a limit, without the line end a shell `echo` or a file adds. */
async function readStdinSecret(stdin: AsyncIterable<Uint8Array | string>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    size += buf.byteLength;
    if (size > MAX_PASSWORD_BYTES) fail('USAGE', `the password on stdin is longer than ${MAX_PASSWORD_BYTES} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** --password-stdin, else IRONCLAD_REGISTRY_PASSWORD, else a no-echo prompt. */
async function password(host: string, args: LoginArgs, io: CliIO, input: SecretInput): Promise<string> {
  let secret: string | undefined;
  if (args.passwordStdin === true) secret = await readStdinSecret(input.stdin);
  else if (io.env.IRONCLAD_REGISTRY_PASSWORD !== undefined) secret = io.env.IRONCLAD_REGISTRY_PASSWORD;
  else if (input.prompt !== undefined) secret = await input.prompt(`Password for ${host}: `);
  else {
    fail('USAGE', `a password is needed to log in to ${host}, and there is no terminal to ask on`, {
      hint: 'pipe it in with --password-stdin, or set IRONCLAD_REGISTRY_PASSWORD',
    });
  }
  if (secret === '') fail('USAGE', `an empty password cannot log in to ${host}`);
  return secret;
}

export async function loginCommand(
  hostArg: string,
  args: LoginArgs,
  io: CliIO,
  input: SecretInput = processInput(),
): Promise<ExitStatus> {
  const host = registryHost(hostArg);
  const username = args.username ?? io.env.IRONCLAD_REGISTRY_USER;
  if (username === undefined || username === '') {
    fail('USAGE', `a user name is needed to log in to ${host}`, {
      hint: 'pass -u USER (or set IRONCLAD_REGISTRY_USER)',
    });
  }
  const creds: RegistryCredentials = { kind: 'basic', username, password: await password(host, args, io, input) };
  const ctx = stageContext(io);
  // REGISTRY_DENIED (exit 4) when the registry refuses them; nothing is saved then.
  await clientFor(host, creds, registrySettings(io, args.insecure === true), ctx).ping();
  const home = ironcladHome(io);
  await saveLogin(home, host, creds);
  io.stdout(`logged in to ${host} as ${username}; credentials saved in ${home.authFile}`);
  return 0;
}

export async function logoutCommand(hostArg: string, io: CliIO): Promise<ExitStatus> {
  const host = registryHost(hostArg);
  const home = ironcladHome(io);
  // Only the login store: credentials in the Docker config belong to docker, and are left alone.
  if ((await resolveCredentials(host, { home })) === undefined) {
    io.stdout(`not logged in to ${host}`);
    return 0;
  }
  await saveLogin(home, host, undefined);
  io.stdout(`removed the credentials for ${host}`);
  return 0;
}

export const registerLogin: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('login')
    .summary('check and save credentials for a registry')
    .argument('<host>', 'registry host[:port], e.g. ghcr.io or registry.example.com:5000')
    .option('-u, --username <user>', 'user name (default: IRONCLAD_REGISTRY_USER)')
    .option('--password-stdin', 'read the password (or token) from stdin')
    .option('--insecure', 'use plain http for the registry (loopback hosts always do)')
    .addHelpText(
      'after',
      [
        '',
        'The password comes from stdin with --password-stdin, else IRONCLAD_REGISTRY_PASSWORD, else a prompt',
        'without echo. Credentials are checked against the registry before they are saved (mode 0600) in',
        'auth.json under IRONCLAD_HOME; later commands use them before the Docker config.',
        '',
        'Examples:',
        '  echo "$GITHUB_TOKEN" | ironclad login ghcr.io -u octocat --password-stdin',
        '  ironclad login registry.example.com:5000 -u ci',
      ].join('\n'),
    )
    .action((host: string, opts: LoginArgs) => run(loginCommand(host, opts, io)));
  program
    .command('logout')
    .summary('remove saved credentials for a registry')
    .argument('<host>', 'registry host[:port]')
    .addHelpText('after', '\nExamples:\n  ironclad logout ghcr.io')
    .action((host: string) => run(logoutCommand(host, io)));
};
