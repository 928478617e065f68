import { Home } from './home.ts';
import { ProgressLine, type ProgressSink } from './progress.ts';
import type { NetworkPolicy } from './retry.ts';

/** What every stage receives instead of reaching for globals (STYLE.md rule 5). */
export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  debug(msg: string): void;
  /**
   * The step a long command has reached (`''` when it is done): a terminal shows it on one status line redrawn in
   * place, other stderr gets one line per step (progress.ts).
   */
  progress(msg: string): void;
  /**
   * How far the current step has got, with counts or bytes (`fetched 12/34 packages, 5.20 MB`): called as often as
   * convenient; shown on the status line, or off a terminal as a line every few seconds.
   */
  tick(msg: string): void;
}

export type Fetch = typeof globalThis.fetch;

export interface StageContext {
  signal: AbortSignal;
  log: Logger;
  fetch: Fetch;
  /** $IRONCLAD_HOME, resolved once by the CLI: every path of stored state comes from it (home.ts). */
  home: Home;
  /** Wall clock for things that are about time by nature (Valid-Until checks, provenance times). */
  now: () => Date;
  /** Retries, timeouts and the total deadline of network operations; DEFAULT_NETWORK_POLICY when absent. */
  network?: NetworkPolicy | undefined;
}

export const silentLogger: Logger = {
  info() {},
  warn() {},
  debug() {},
  progress() {},
  tick() {},
};

/**
 * `log` with `prefix` before every message: work done for several things at once (the images of a parallel
 * update) stays readable, each line saying what it is about, whoever wrote the message.
 */
export function prefixedLogger(log: Logger, prefix: string): Logger {
  return {
    info: (msg) => log.info(`${prefix}${msg}`),
    warn: (msg) => log.warn(`${prefix}${msg}`),
    debug: (msg) => log.debug(`${prefix}${msg}`),
    // '' ends progress: it carries no text to prefix.
    progress: (msg) => log.progress(msg === '' ? '' : `${prefix}${msg}`),
    tick: (msg) => log.tick(`${prefix}${msg}`),
  };
}

/** A logger that writes to stderr (or `sink`); progress as progress.ts renders it. */
export function stderrLogger(opts: { verbose?: boolean; sink?: ProgressSink } = {}): Logger {
  const sink = opts.sink ?? {
    write: (text: string) => void process.stderr.write(text),
    tty: process.stderr.isTTY === true,
    columns: () => process.stderr.columns,
  };
  const status = new ProgressLine(sink);
  const line = (text: string) => {
    status.clear();
    sink.write(`${text}\n`);
  };
  return {
    info: (msg) => line(msg),
    warn: (msg) => line(`warning: ${msg}`),
    debug: (msg) => {
      if (opts.verbose) line(`debug: ${msg}`);
    },
    progress: (msg) => status.step(msg),
    tick: (msg) => status.tick(msg),
  };
}

/** A context for tests and library callers; `home` may be given as a directory. */
export function createContext(partial: Partial<Omit<StageContext, 'home'>> & { home: Home | string }): StageContext {
  return {
    signal: partial.signal ?? new AbortController().signal,
    log: partial.log ?? silentLogger,
    fetch: partial.fetch ?? globalThis.fetch,
    home: typeof partial.home === 'string' ? new Home(partial.home) : partial.home,
    now: partial.now ?? (() => new Date()),
  };
}
