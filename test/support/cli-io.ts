import { join } from 'node:path';
import type { CliIO } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { silentLogger } from '../../src/core/index.ts';

/** A CliIO that records stdout and stderr, for running verbs in-process with runCli. */
export function captureIO(
  cwd: string = process.cwd(),
  env: NodeJS.ProcessEnv = {},
): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    log: silentLogger,
    env,
    cwd,
    isTTY: false,
  };
}

/**
 * Runs verbs in-process over a fixture's directory and store, with the key password `pw` and an empty Docker
 * config under `dir/docker` (so no credential helper runs). Resolves to the exit status and the captured output.
 */
export function fixtureCli(fx: { readonly dir: string; readonly home: string }) {
  return async (...argv: string[]): Promise<{ status: number; out: string; err: string }> => {
    const io = captureIO(fx.dir, {
      IRONCLAD_HOME: fx.home,
      IRONCLAD_PASSWORD: 'pw',
      DOCKER_CONFIG: join(fx.dir, 'docker'),
      HOME: fx.dir,
    });
    const status = await runCli(argv, io);
    return { status, out: io.out.join('\n'), err: io.err.join('\n') };
  };
}
