import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fail, processAlive, siblingTempPath } from '../core/index.ts';

/**
 * Serialises read-modify-write cycles of a layout's index.json: an in-process queue per path (so concurrent
 * calls in one process never interleave), plus an exclusive lock file for other processes. A lock file whose
 * owning process no longer exists is stale and removed; no wall-clock ages are involved. The lock file appears
 * with its owner's pid already in it (written to a temp file, then hard-linked into place), so a process killed
 * while taking the lock cannot leave an ownerless lock behind; a lock file without a pid is therefore stale too.
 */
const queues = new Map<string, Promise<unknown>>();

const RETRY_MS = 25;
const MAX_ATTEMPTS = 2400; // about a minute of waiting for another process
/** A long wait (a whole command, `untilReleased`) polls less often. */
const WAIT_RETRY_MS = 250;

/** How long to wait for a lock another process holds. */
export interface LockWaitOptions {
  /** Wait as long as the holding process lives, instead of about a minute (then CONFLICT). */
  readonly untilReleased?: boolean;
  /** Called once, with the holder's pid, when the lock is found held by another live process. */
  onWait?(owner: number): void;
}

async function acquire(lockPath: string, opts: LockWaitOptions): Promise<void> {
  let told = false;
  for (let attempt = 0; opts.untilReleased === true || attempt < MAX_ATTEMPTS; attempt++) {
    const tmp = siblingTempPath(lockPath);
    try {
      await writeFile(tmp, String(process.pid), { flag: 'wx' });
      await link(tmp, lockPath);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await rm(tmp, { force: true });
    }
    const text = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // released meanwhile
    const owner = /^\d+$/.test(text) ? Number(text) : undefined;
    if (owner === undefined || (owner !== process.pid && !processAlive(owner))) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (!told && owner !== undefined) opts.onWait?.(owner);
    told = true;
    await sleep(opts.untilReleased === true ? WAIT_RETRY_MS : RETRY_MS);
  }
  fail('CONFLICT', `${lockPath} is held by another process`, {
    hint: 'another ironclad command is writing to this image layout; retry when it has finished',
  });
}

/** Runs `fn` while holding the lock at `lockPath`; the lock is released even when `fn` throws. */
export function withLayoutLock<T>(lockPath: string, fn: () => Promise<T>, opts: LockWaitOptions = {}): Promise<T> {
  const previous = queues.get(lockPath) ?? Promise.resolve();
  const run = previous
    .catch(() => {})
    .then(async () => {
      await acquire(lockPath, opts);
      try {
        return await fn();
      } finally {
        await rm(lockPath, { force: true });
      }
    });
  queues.set(lockPath, run);
  void run
    .finally(() => {
      if (queues.get(lockPath) === run) queues.delete(lockPath);
    })
    .catch(() => {});
  return run;
}
