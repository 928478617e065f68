import { Home } from './home.ts';
import type { NetworkPolicy } from './retry.ts';

/** What every stage receives instead of reaching for globals (STYLE.md rule 5). */
export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  debug(msg: string): void;
  /** Progress lines; a TTY renderer may redraw them in place, otherwise they are dropped or logged. */
  progress(msg: string): void;
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
};

/** A logger that writes to stderr; progress only when stderr is a TTY. */
export function stderrLogger(opts: { verbose?: boolean; tty?: boolean } = {}): Logger {
  const tty = opts.tty ?? process.stderr.isTTY === true;
  let progressShown = false;
  const clear = () => {
    if (progressShown) {
      process.stderr.write('\r\x1b[K');
      progressShown = false;
    }
  };
  return {
    info(msg) {
      clear();
      process.stderr.write(`${msg}\n`);
    },
    warn(msg) {
      clear();
      process.stderr.write(`warning: ${msg}\n`);
    },
    debug(msg) {
      if (opts.verbose) {
        clear();
        process.stderr.write(`debug: ${msg}\n`);
      }
    },
    progress(msg) {
      if (!tty) return;
      process.stderr.write(`\r\x1b[K${msg.slice(0, (process.stderr.columns ?? 80) - 1)}`);
      progressShown = true;
    },
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
