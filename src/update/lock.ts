import { mkdir } from 'node:fs/promises';
import type { StageContext } from '../core/index.ts';
import { withLayoutLock } from '../oci/index.ts';

/**
 * Runs `fn` (an update's plan and run) as the only update on this home. A second update waits, saying once which
 * process it waits for, and plans only when the first has finished, so it sees the locks, tags and history the
 * first wrote (usually: nothing left to do). It waits as long as that process lives; a lock left by a killed
 * update names a process that no longer exists and is taken over.
 */
export async function withUpdateLock<T>(ctx: StageContext, fn: () => Promise<T>): Promise<T> {
  await mkdir(ctx.home.root, { recursive: true }); // a first command on a fresh home
  return withLayoutLock(ctx.home.updateLock, fn, {
    untilReleased: true,
    onWait: (pid) =>
      ctx.log.info(`another ironclad update (pid ${pid}) is running on ${ctx.home.root}; waiting for it to finish`),
  });
}
