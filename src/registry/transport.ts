import { setTimeout as delay } from 'node:timers/promises';
import { type Fetch, IroncladError } from '../core/index.ts';

/**
 * Small fetch wrappers stacked by the client: user-agent → timeouts → auth (auth.ts), with retries
 * decided per request from IroncladError.retryable (errors.ts is the one place that sets it).
 */

export interface RetryPolicy {
  /** Total tries, first one included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

export interface Timeouts {
  /** Until response headers arrive (uploads: includes sending the request body). */
  readonly requestMs: number;
  /** Longest silence while reading a response body. */
  readonly idleMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { requestMs: 120_000, idleMs: 60_000 };

/** Adds a User-Agent header unless the caller set one. */
export function withUserAgent(fetch: Fetch, userAgent: string): Fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    if (!headers.has('user-agent')) headers.set('user-agent', userAgent);
    return fetch(input, { ...init, headers });
  };
}

/**
 * Aborts a request that gets no response headers within `requestMs`, and a response body that stays silent
 * for `idleMs`. A per-request AbortSignal.timeout would also cut a large, healthy download, hence the idle
 * watchdog for bodies. The caller's own signal (init.signal) is honoured throughout.
 */
export function withTimeouts(fetch: Fetch, t: Timeouts): Fetch {
  return async (input, init) => {
    const ctl = new AbortController();
    const outer = init?.signal ?? undefined;
    // AbortSignal.any holds its sources weakly, so per-request signals do not pile up listeners on `outer`.
    const signal = outer === undefined ? ctl.signal : AbortSignal.any([outer, ctl.signal]);
    const timeoutError = () => new DOMException('request timed out', 'TimeoutError');
    let timer = setTimeout(() => ctl.abort(timeoutError()), t.requestMs);
    let res: Response;
    try {
      res = await fetch(input, { ...init, signal });
    } catch (err) {
      throw ctl.signal.aborted && outer?.aborted !== true ? timeoutError() : err;
    } finally {
      clearTimeout(timer);
    }
    if (res.body === null) return res;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => ctl.abort(timeoutError()), t.idleMs);
      // An abandoned body must not keep the process alive.
      timer.unref();
    };
    arm();
    const body = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, c) {
          arm();
          c.enqueue(chunk);
        },
        flush() {
          clearTimeout(timer);
        },
      }),
    );
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"), or the
 * server's Retry-After when it gave one. `attempt` counts from 1 for the first retry. Pure.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: number, retryAfter?: number): number {
  // Retry-After is already capped where it is parsed (errors.ts); the server knows its own load best.
  if (retryAfter !== undefined) return retryAfter * 1000;
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(cap / 2 + (random * cap) / 2);
}

/**
 * Runs `op` until it succeeds, throws something not retryable, or the attempts are used up (then the last
 * error is thrown). Only IroncladError.retryable is consulted.
 */
export async function withRetry<T>(
  op: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
  onRetry?: (err: IroncladError, waitMs: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (err) {
      if (!(err instanceof IroncladError) || !err.retryable || attempt >= policy.attempts || signal?.aborted) {
        throw err;
      }
      const wait = backoffDelay(attempt, policy, Math.random(), err.retryAfter);
      onRetry?.(err, wait);
      await delay(wait, undefined, signal === undefined ? {} : { signal });
    }
  }
}
