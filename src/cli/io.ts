import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Logger, networkPolicyFromEnv, type StageContext, stderrLogger } from '../core/index.ts';

/** Everything a verb touches outside itself; injected so tests can capture output. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  log: Logger;
  env: NodeJS.ProcessEnv;
  cwd: string;
  isTTY: boolean;
}

export type ExitStatus = number;

export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    stderr: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    log: stderrLogger({ verbose: process.env.IRONCLAD_DEBUG === '1' }),
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true,
  };
}

export function ironcladHome(io: CliIO): string {
  return io.env.IRONCLAD_HOME ?? join(homedir(), '.ironclad');
}

/** The stage context for one CLI invocation. */
export function stageContext(io: CliIO, signal?: AbortSignal): StageContext {
  return {
    signal: signal ?? new AbortController().signal,
    log: io.log,
    fetch: globalThis.fetch,
    home: ironcladHome(io),
    now: () => new Date(),
    network: networkPolicyFromEnv(io.env),
  };
}
