import { setTimeout as delay } from 'node:timers/promises';
import { IroncladError } from './errors.ts';

/**
 * The one retry policy of every network operation (Debian archive and registries alike, STYLE.md rule 9):
 * what is retryable is decided here from a fixed list, a server's Retry-After is honoured only up to a cap,
 * backoff is exponential with jitter, and a total deadline bounds each operation, all tries, waits and
 * response bodies included.
 */
export interface NetworkPolicy {
  /** Total tries, the first one included. */
  readonly attempts: number;
  /** First backoff delay; doubles each retry, with jitter, up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A server's Retry-After is honoured up to this; a longer one is cut to it (a hostile or confused server). */
  readonly maxRetryAfterMs: number;
  /** Until response headers arrive (uploads: includes sending the request body). */
  readonly requestTimeoutMs: number;
  /** Longest silence while reading a response body: a stalled server fails instead of hanging. */
  readonly idleTimeoutMs: number;
  /** Total time one operation may take, every try, wait and body included. */
  readonly deadlineMs: number;
}

export const DEFAULT_NETWORK_POLICY: NetworkPolicy = {
  attempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 30_000,
  requestTimeoutMs: 60_000,
  idleTimeoutMs: 30_000,
  // Generous enough for a large layer on a slow link, short enough that nothing hangs for good.
  deadlineMs: 15 * 60_000,
};

/** The environment variables that change the policy for one CLI run (seconds), with what they set. */
export const NETWORK_ENV = {
  /** Total time of one network operation. */
  IRONCLAD_NETWORK_DEADLINE: ['deadlineMs'],
  /** Longest wait for a server to answer or to send more of a body. */
  IRONCLAD_NETWORK_TIMEOUT: ['requestTimeoutMs', 'idleTimeoutMs'],
} as const satisfies Record<string, readonly (keyof NetworkPolicy)[]>;

/** The hint every "gave up" error carries. */
export const NETWORK_HINT =
  'check your network connection, proxy settings and that the server is up; the operation is safe to rerun ' +
  `(${Object.keys(NETWORK_ENV).join(' and ')} set the limits, in seconds)`;

/** HTTP statuses worth another try: timeouts, throttling and server-side trouble. */
const RETRYABLE_STATUS = new Set([408, 429]);
/** OCI distribution spec error codes that mean "try again later" whatever the status ("Error Codes"). */
const RETRYABLE_SPEC_CODES = new Set(['TOOMANYREQUESTS', 'UNAVAILABLE']);

/** Whether a failed response is worth another try: 408, 429, any 5xx, or a retryable spec error code. */
export function isRetryableResponse(status: number, specCodes: readonly string[] = []): boolean {
  return (
    RETRYABLE_STATUS.has(status) ||
    (status >= 500 && status < 600) ||
    specCodes.some((c) => RETRYABLE_SPEC_CODES.has(c))
  );
}

/**
 * Retry-After in seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3) against `nowMs`. Not capped here:
 * the policy caps it where the wait is computed, so a message can still say what the server asked for.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,12}$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/**
 * The wait before retry number `retry` (1 for the first retry): the server's Retry-After capped by the policy,
 * or exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"). Pure.
 */
export function retryDelay(retry: number, policy: NetworkPolicy, random: number, retryAfterSec?: number): number {
  if (retryAfterSec !== undefined) return Math.min(retryAfterSec * 1000, policy.maxRetryAfterMs);
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(cap / 2 + (random * cap) / 2);
}

export interface RetryOptions {
  /** The caller's cancellation (Ctrl-C); never retried. */
  readonly signal?: AbortSignal | undefined;
  /** What the operation does, for the deadline message: "GET https://deb.debian.org/…". */
  readonly what: string;
  readonly onRetry?: (err: IroncladError, waitMs: number) => void;
}

/**
 * Runs `op` until it succeeds, throws something not retryable, the attempts are used up, or the next wait
 * would pass the deadline; then the last error is thrown. Only IroncladError.retryable is consulted.
 * `op` gets a signal that fires on the caller's cancellation or at the deadline; a caller that keeps reading
 * a response body after `op` returned stays bound by it.
 * @throws IroncladError NETWORK when the deadline passed during a try.
 */
export async function withRetry<T>(
  op: (attempt: number, signal: AbortSignal) => Promise<T>,
  policy: NetworkPolicy,
  opts: RetryOptions,
): Promise<T> {
  const started = performance.now();
  const deadline = AbortSignal.timeout(policy.deadlineMs);
  const signal = opts.signal === undefined ? deadline : AbortSignal.any([opts.signal, deadline]);
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt, signal);
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      if (deadline.aborted) throw deadlineError(opts.what, policy, err);
      if (!(err instanceof IroncladError) || !err.retryable || attempt >= policy.attempts) throw err;
      const wait = retryDelay(attempt, policy, Math.random(), err.retryAfter);
      if (performance.now() - started + wait >= policy.deadlineMs) throw deadlineError(opts.what, policy, err);
      opts.onRetry?.(err, wait);
      try {
        await delay(wait, undefined, { signal });
      } catch {
        throw opts.signal?.aborted ? err : deadlineError(opts.what, policy, err);
      }
    }
  }
}

function deadlineError(what: string, policy: NetworkPolicy, last: unknown): IroncladError {
  const detail = last instanceof Error ? `; last error: ${last.message}` : '';
  return new IroncladError(
    'NETWORK',
    `${what}: gave up at the network deadline of ${Math.round(policy.deadlineMs / 1000)} s${detail}`,
    { cause: last, hint: NETWORK_HINT },
  );
}

/**
 * The policy for one run: defaults, then the NETWORK_ENV variables (seconds, positive numbers).
 * @throws IroncladError USAGE for a value that is not a positive number.
 */
export function networkPolicyFromEnv(env: Readonly<Record<string, string | undefined>>): NetworkPolicy {
  const policy: Record<keyof NetworkPolicy, number> = { ...DEFAULT_NETWORK_POLICY };
  for (const [name, keys] of Object.entries(NETWORK_ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const seconds = Number(raw);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
      throw new IroncladError('USAGE', `${name}=${raw.slice(0, 40)} is not a number of seconds (0 < s ≤ 86400)`);
    }
    for (const key of keys) policy[key] = seconds * 1000;
  }
  return policy;
}
