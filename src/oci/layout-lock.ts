import { open, readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fail, processAlive } from '../core/index.ts';

/**
 * Serialises read-modify-write cycles of a layout's index.json: an in-process queue per path (so concurrent
 * calls in one process never interleave), plus an exclusive lock file for other processes. A lock file whose
 * owning process no longer exists is stale and removed; no wall-clock ages are involved.
 */
const queues = new Map<string, Promise<unknown>>();

const RETRY_MS = 25;
const MAX_ATTEMPTS = 2400; // about a minute of waiting for another process

async function acquire(lockPath: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && !processAlive(owner)) {
      await rm(lockPath, { force: true });
      continue;
    }
    await sleep(RETRY_MS);
  }
  fail('CONFLICT', `${lockPath} is held by another process`, {
    hint: 'another ironclad command is writing to this image layout; retry when it has finished',
  });
}

/** Runs `fn` while holding the lock at `lockPath`; the lock is released even when `fn` throws. */
export function withLayoutLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(lockPath) ?? Promise.resolve();
  const run = previous
    .catch(() => {})
    .then(async () => {
      await acquire(lockPath);
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
