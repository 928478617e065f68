import type { CliIO } from '../../src/cli/io.ts';
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
