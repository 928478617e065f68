import { homedir } from 'node:os';
import { join } from 'node:path';
import { Home, type Logger, networkPolicyFromEnv, type StageContext, stderrLogger } from '../core/index.ts';

/** Everything a verb touches outside itself; injected so tests can capture output. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  log: Logger;
  env: NodeJS.ProcessEnv;
  cwd: string;
  isTTY: boolean;
  /** Fired on SIGINT/SIGTERM (interrupt.ts); every stage context of the invocation carries it. */
  signal?: AbortSignal;
}

export type ExitStatus = number;

export function processIO(signal?: AbortSignal): CliIO {
  const log = stderrLogger({ verbose: process.env.IRONCLAD_DEBUG === '1' });
  return {
    ...(signal !== undefined && { signal }),
    stdout: (t) => {
      // On a terminal the result replaces the status line rather than continuing it.
      if (process.stdout.isTTY) log.progress('');
      process.stdout.write(t.endsWith('\n') ? t : `${t}\n`);
    },
    // Through the logger, so an error or hint replaces the status line instead of being appended to it.
    stderr: (t) => log.info(t.endsWith('\n') ? t.slice(0, -1) : t),
    log,
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true,
  };
}

/** `$IRONCLAD_HOME`, default `~/.ironclad`: the owner of every stored path (core/home.ts). */
export function ironcladHome(io: CliIO): Home {
  return new Home(io.env.IRONCLAD_HOME ?? join(homedir(), '.ironclad'));
}

/** The stage context for one CLI invocation. */
export function stageContext(io: CliIO): StageContext {
  return {
    signal: io.signal ?? new AbortController().signal,
    log: io.log,
    fetch: globalThis.fetch,
    home: ironcladHome(io),
    now: () => new Date(),
    network: networkPolicyFromEnv(io.env),
  };
}
