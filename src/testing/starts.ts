import type { StageContext } from '../core/index.ts';
import { MAX_TEST_OUTPUT } from './functional.ts';
import type { PreparedImage } from './prepared-image.ts';
import type { FunctionalResult } from './types.ts';

export const STARTS = 'starts';

/** How long the default command must stay up to count as a running service. */
export const STAY_UP_SECONDS = 3;

/**
 * The `starts` check: the image's default command (Entrypoint + Cmd, as the image runs by default, no network)
 * either stays up for STAY_UP_SECONDS (a service; it is then killed) or exits 0 on its own (a one-shot tool or
 * an interpreter reading an empty stdin). Any other exit fails, with the output. Skipped when the image has
 * neither Entrypoint nor Cmd.
 */
export async function startsCheck(image: PreparedImage, ctx: StageContext): Promise<FunctionalResult> {
  const c = image.config.config;
  if ((c?.Entrypoint?.length ?? 0) === 0 && (c?.Cmd?.length ?? 0) === 0) {
    return { name: STARTS, status: 'skipped', message: 'the image has no Entrypoint or Cmd', durationMs: 0 };
  }
  const start = ctx.now().getTime();
  const r = await image.run({ timeoutMs: STAY_UP_SECONDS * 1000, maxCaptureBytes: MAX_TEST_OUTPUT }, ctx);
  const ok = r.timedOut || r.exitCode === 0;
  const command = [...(c?.Entrypoint ?? []), ...(c?.Cmd ?? [])].join(' ');
  return {
    name: STARTS,
    status: ok ? 'passed' : 'failed',
    message: r.timedOut
      ? `${command}: still running after ${STAY_UP_SECONDS} s`
      : r.exitCode === 0
        ? `${command}: exited 0`
        : `${command}: exited with code ${r.exitCode} within ${STAY_UP_SECONDS} s`,
    durationMs: Math.max(0, ctx.now().getTime() - start),
    exitCode: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
  };
}
