import { stat } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fail, IroncladError } from '../core/index.ts';
import { spawnProcess } from './spawn-helper.ts';

/** Output sinks and limits for one container process. */
export interface ProcessIO {
  readonly stdout?: (chunk: Uint8Array) => void;
  readonly stderr?: (chunk: Uint8Array) => void;
  /** Bytes of each stream kept in the result; the sinks still see everything. */
  readonly maxCaptureBytes: number;
}

export interface ProcessOutcome {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
}

/** How long a killed container gets to go away before runc itself is killed. */
const KILL_GRACE_MS = 5000;

export const RUNC_HINT = 'install runc (apt-get install runc) and run as root';

/** Keeps the first `max` bytes of a stream. */
class Capture {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  constructor(readonly max: number) {}
  add(chunk: Buffer): void {
    if (this.#size >= this.max) return;
    const part = chunk.subarray(0, this.max - this.#size);
    this.#chunks.push(part);
    this.#size += part.length;
  }
  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

/**
 * Runs one runc command to completion, ignoring its output: used for `kill` and `delete`, whose failure
 * (the container already gone) is expected during cleanup.
 */
export function runcQuiet(runc: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawnProcess(runc, args, ['ignore', 'ignore', 'ignore']);
    child.on('error', () => resolve(-1));
    child.on('close', (code: number | null) => resolve(code ?? -1));
  });
}

/**
 * Removes container `id` of the runc state directory `root` unless it is gone already: `runc run` (without
 * `--keep`) deletes its container when it exits, so after a run that ended there is nothing left and no process
 * is started. While its state is present (runc still running, or killed itself), `runc delete --force` kills what
 * is left of the container and removes it.
 */
export async function deleteContainer(runc: string, root: string, id: string): Promise<void> {
  const present = await stat(join(root, id)).then(
    () => true,
    (e: NodeJS.ErrnoException) => e.code !== 'ENOENT',
  );
  if (present) await runcQuiet(runc, ['--root', root, 'delete', '--force', id]);
}

/**
 * Runs `runc <args>` (a `run` of a prepared bundle), streaming stdio to the sinks. When `timeoutMs` passes or
 * `signal` aborts, `kill` is called (it should SIGKILL the container); runc is killed itself if it has not
 * exited `KILL_GRACE_MS` later. The exit code is the container's (runc passes it through), or 128 + signal
 * number when runc died of a signal, as shells report it.
 * @throws IroncladError RUNTIME_UNAVAILABLE when runc cannot be started.
 */
export function runcRun(
  runc: string,
  args: readonly string[],
  io: ProcessIO,
  limits: { readonly timeoutMs: number; readonly signal: AbortSignal; readonly kill: () => Promise<void> },
): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const out = new Capture(io.maxCaptureBytes);
    const err = new Capture(io.maxCaptureBytes);
    let timedOut = false;
    let aborted = false;
    let grace: NodeJS.Timeout | undefined;
    const child = spawnProcess(runc, args, ['ignore', 'pipe', 'pipe']);
    const stop = () => {
      void limits.kill();
      grace ??= setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, limits.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    limits.signal.addEventListener('abort', onAbort, { once: true });
    if (limits.signal.aborted) onAbort();
    const done = () => {
      clearTimeout(timer);
      if (grace !== undefined) clearTimeout(grace);
      limits.signal.removeEventListener('abort', onAbort);
    };
    child.stdout?.on('data', (c: Buffer) => {
      out.add(c);
      io.stdout?.(c);
    });
    child.stderr?.on('data', (c: Buffer) => {
      err.add(c);
      io.stderr?.(c);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      done();
      const what = e.code === 'ENOENT' ? `${runc} is not installed` : `cannot start ${runc}: ${e.message}`;
      reject(new IroncladError('RUNTIME_UNAVAILABLE', what, { hint: RUNC_HINT, cause: e }));
    });
    child.on('close', (code: number | null, sig: NodeJS.Signals | null) => {
      done();
      const exitCode = code ?? 128 + signalNumber(sig);
      resolve({ exitCode, stdout: out.text(), stderr: err.text(), timedOut, aborted });
    });
  });
}

function signalNumber(sig: NodeJS.Signals | null): number {
  return (sig === null ? undefined : constants.signals[sig]) ?? constants.signals.SIGKILL;
}

/** A positive, finite timeout in milliseconds, or USAGE. */
export function checkTimeout(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) fail('USAGE', `timeout ${ms} ms is not a positive number`);
  return ms;
}
