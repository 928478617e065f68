import type { Command } from 'commander';
import { fail } from '../core/index.ts';
import { formatPlatform, hostPlatform } from '../oci/index.ts';
import { runImage } from '../testing/index.ts';
import type { VerbRegistrar } from './commands.ts';
import type { CliIO, ExitStatus } from './io.ts';
import { stageContext } from './io.ts';
import { openSource, platformOption } from './source.ts';

export interface RunArgs {
  readonly image: string;
  readonly command: readonly string[];
  readonly platform?: string;
  readonly user?: string;
  readonly env: readonly string[];
  readonly entrypoint?: string;
  /** Seconds. */
  readonly timeout: string;
  readonly pidsLimit?: string;
  readonly memory?: string;
  readonly readOnly?: boolean;
}

/** `--pids-limit N`: a positive integer. */
export function pidsLimitArg(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 8) fail('USAGE', `--pids-limit ${text}: expected a whole number ≥ 8`);
  return n;
}

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `--memory 512m`: bytes, or a number with k, m or g (powers of 1024, as docker reads it); at least 6 MiB. */
export function memoryArg(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([bkmg]?)$/i.exec(text.trim());
  const bytes = m === null ? Number.NaN : Math.floor(Number(m[1]) * (UNITS[m[2]!.toLowerCase()] ?? Number.NaN));
  if (!Number.isSafeInteger(bytes) || bytes < 6 * 1024 ** 2) {
    fail('USAGE', `--memory ${text}: expected a size of at least 6m, e.g. 512m or 2g`);
  }
  return bytes;
}

/** Seconds as typed → milliseconds; USAGE unless a positive number. */
export function timeoutArg(text: string): number {
  const s = Number(text);
  if (!Number.isFinite(s) || s <= 0) fail('USAGE', `--timeout ${text}: expected a positive number of seconds`);
  return Math.round(s * 1000);
}

/**
 * Forwards container output to a line-oriented writer: complete lines as they arrive, the rest at the end.
 * (CliIO writes whole lines; a partial last line gets its newline then.)
 */
function lineSink(write: (text: string) => void): { sink: (c: Uint8Array) => void; flush: () => void } {
  const decoder = new TextDecoder();
  let pending = '';
  return {
    sink: (c) => {
      pending += decoder.decode(c, { stream: true });
      const nl = pending.lastIndexOf('\n');
      if (nl < 0) return;
      write(pending.slice(0, nl + 1));
      pending = pending.slice(nl + 1);
    },
    flush: () => {
      pending += decoder.decode();
      if (pending !== '') write(pending);
      pending = '';
    },
  };
}

/**
 * `ironclad run <image> [-- CMD ARGS...]`: runs the image once in runc (no network) and exits with the
 * container's exit status. Output is streamed as it comes.
 */
export async function runCommand(args: RunArgs, io: CliIO): Promise<ExitStatus> {
  const host = hostPlatform();
  const platform = platformOption(args.platform) ?? host;
  const timeoutMs = timeoutArg(args.timeout);
  const limits = {
    ...(args.pidsLimit !== undefined && { pids: pidsLimitArg(args.pidsLimit) }),
    ...(args.memory !== undefined && { memoryBytes: memoryArg(args.memory) }),
  };
  const ctx = stageContext(io);
  const image = await openSource(args.image, io).resolve(platform);
  const out = lineSink(io.stdout);
  const err = lineSink(io.stderr);
  io.log.debug(`running ${args.image} (${formatPlatform(platform)}, ${image.digest})`);
  try {
    const result = await runImage(
      image,
      {
        ...(args.command.length > 0 && { argv: args.command }),
        ...(args.entrypoint !== undefined && { entrypoint: [args.entrypoint] }),
        ...(args.user !== undefined && { user: args.user }),
        env: args.env,
        timeoutMs,
        stdout: out.sink,
        stderr: err.sink,
        maxCaptureBytes: 0,
        network: 'none',
        host,
        limits,
        ...(args.readOnly === true && { readonlyRootfs: true }),
      },
      ctx,
    );
    if (result.timedOut) io.log.warn(`killed after the timeout of ${args.timeout} s`);
    return result.exitCode;
  } finally {
    out.flush();
    err.flush();
  }
}

/** Commander option reducer for repeatable options (`--env A=1 --env B=2`). */
export function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

const EXAMPLES = `
Examples:
  $ ironclad run python:3.11 -- python3 -c 'print(1)'
  $ ironclad run oci:./out:latest --user 65532:65532 --env LANG=C.UTF-8
  $ ironclad run python:3.11-dev --entrypoint /bin/bash -- -c 'id'
  $ ironclad run python:3.11 --read-only --pids-limit 64 --memory 256m -- python3 -c 'print(1)'

Every container runs with a seccomp filter like Docker's default, no new privileges, no capabilities for
non-root users, its own pid, ipc, uts, mount, cgroup and (empty) network namespaces, and pids and memory
limits (default 512 processes, 2g).`;

export const registerRun: VerbRegistrar = (program: Command, io: CliIO, run) => {
  program
    .command('run')
    .description('Run an image once in runc (no network), streaming its output; exits with its status')
    .argument('<image>', 'image reference: NAME[:TAG] in the local store, oci:DIR[:TAG], docker-archive:FILE')
    .argument('[command...]', 'replaces the image Cmd (after --); the Entrypoint is kept')
    .option('--platform <os/arch>', 'platform of a multi-platform image (default: this machine)')
    .option('--user <user>', 'run as uid[:gid] or a name from the image /etc/passwd')
    .option('--env <KEY=VALUE>', 'set an environment variable (repeatable)', collect, [])
    .option('--entrypoint <path>', 'replace the image Entrypoint (the image Cmd is dropped, as docker does)')
    .option('--timeout <seconds>', 'kill the container after this long', '3600')
    .option('--pids-limit <n>', 'most processes and threads in the container (default 512)')
    .option('--memory <size>', 'memory limit, e.g. 256m or 2g (default 2g)')
    .option(
      '--read-only',
      'mount the image read-only, with a tmpfs on /tmp (always so for images labelled dev.ironclad.read-only-root=true)',
    )
    .addHelpText('after', EXAMPLES)
    .action(
      (
        image: string,
        command: string[],
        o: {
          platform?: string;
          user?: string;
          env: string[];
          entrypoint?: string;
          timeout: string;
          pidsLimit?: string;
          memory?: string;
          readOnly?: boolean;
        },
      ) => {
        run(
          runCommand(
            {
              image,
              command,
              env: o.env,
              timeout: o.timeout,
              ...(o.platform !== undefined && { platform: o.platform }),
              ...(o.user !== undefined && { user: o.user }),
              ...(o.entrypoint !== undefined && { entrypoint: o.entrypoint }),
              ...(o.pidsLimit !== undefined && { pidsLimit: o.pidsLimit }),
              ...(o.memory !== undefined && { memory: o.memory }),
              ...(o.readOnly === true && { readOnly: true }),
            },
            io,
          ),
        );
      },
    );
};
