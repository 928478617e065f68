import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import type { Fetch, Logger } from './context.ts';
import { fail, IroncladError } from './errors.ts';
import { describeCause, redact, withTimeouts, withUserAgent } from './fetch-stack.ts';
import { formatBytes } from './format.ts';
import {
  DEFAULT_NETWORK_POLICY,
  isRetryableResponse,
  NETWORK_HINT,
  type NetworkPolicy,
  parseRetryAfter,
  withRetry,
} from './retry.ts';

/**
 * Plain HTTP GET with the behaviour every Ironclad download needs: the one retry policy (retry.ts: fixed
 * retryable list, capped Retry-After, backoff, total deadline), idle timeouts (fetch-stack.ts), a byte limit,
 * and NETWORK errors (exit 4) that say what was being fetched.
 */

/** What the HTTP helpers need from a StageContext (core cannot depend on a stage's full context). */
export interface HttpContext {
  readonly fetch: Fetch;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** The run's network policy (the CLI reads it from the environment); defaults otherwise. */
  readonly network?: NetworkPolicy | undefined;
}

export interface HttpOptions extends Partial<NetworkPolicy> {
  /** Reject a response body larger than this. Default 64 MiB. */
  readonly maxBytes?: number;
  /** Return `undefined` for 404/410 instead of failing (callers with a fallback, e.g. by-hash paths). */
  readonly allowNotFound?: boolean;
  /**
   * Called instead of failing with NETWORK when the body exceeds `maxBytes`; callers that know the exact size
   * from a signed index use it to report an integrity failure (DIGEST_MISMATCH) rather than a network one.
   */
  readonly tooLarge?: (limit: number) => never;
  /** Names the download in progress lines (default: the redacted URL). */
  readonly label?: string;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const USER_AGENT = 'ironclad';

/** A sink for streamed bodies; `write` may be async. */
interface BodySink {
  /** The body's announced length, when the server sent one, before the first chunk. */
  start?(declared: number | undefined): void;
  write(chunk: Uint8Array): void | Promise<void>;
}

/**
 * GETs `url` and returns the whole body. Throws NETWORK (retryable decided as above) or, with
 * `allowNotFound`, resolves `undefined` on 404/410.
 */
export async function httpGetBytes(
  url: string,
  ctx: HttpContext,
  opts: HttpOptions = {},
): Promise<Uint8Array | undefined> {
  const found = await withRetries(url, ctx, opts, async (policy, signal) => {
    const chunks: Uint8Array[] = [];
    const ok = await attempt(url, ctx, opts, policy, signal, { write: (c) => void chunks.push(c) });
    return ok ? Buffer.concat(chunks) : undefined;
  });
  return found;
}

/**
 * Streams `url` into a new file at `path` (which must not be shared with another writer), returning its sha256
 * and size. On failure the partial file is removed. Each retry starts the file afresh, so a retried download
 * never mixes bytes of two responses. Resolves `undefined` on 404/410 with `allowNotFound`.
 */
export async function httpDownloadFile(
  url: string,
  path: string,
  ctx: HttpContext,
  opts: HttpOptions = {},
): Promise<{ sha256: string; size: number } | undefined> {
  try {
    return await withRetries(url, ctx, opts, async (policy, signal) => {
      const fh = await open(path, 'w', 0o644);
      const hash = createHash('sha256');
      const label = opts.label ?? redact(url);
      let size = 0;
      let of = '';
      try {
        const ok = await attempt(url, ctx, opts, policy, signal, {
          start: (declared) => {
            of = declared === undefined ? '' : ` of ${formatBytes(declared)}`;
          },
          write: async (c) => {
            hash.update(c);
            size += c.length;
            ctx.log.tick(`downloading ${label}: ${formatBytes(size)}${of}`);
            await fh.write(c);
          },
        });
        if (!ok) return undefined;
        await fh.sync();
      } finally {
        await fh.close();
      }
      return { sha256: hash.digest('hex'), size };
    });
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
}

function withRetries<T>(
  url: string,
  ctx: HttpContext,
  opts: HttpOptions,
  run: (policy: NetworkPolicy, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const policy: NetworkPolicy = { ...DEFAULT_NETWORK_POLICY, ...ctx.network, ...definedPolicy(opts) };
  return withRetry((_, signal) => run(policy, signal), policy, {
    signal: ctx.signal,
    what: `GET ${redact(url)}`,
    onRetry: (err, ms) => ctx.log.debug(`${err.message}; retrying in ${Math.round(ms)} ms`),
  });
}

/** The NetworkPolicy fields of `opts` that are set (exactOptionalPropertyTypes keeps undefined out of spreads). */
function definedPolicy(opts: HttpOptions): Partial<NetworkPolicy> {
  const keys = Object.keys(DEFAULT_NETWORK_POLICY) as (keyof NetworkPolicy)[];
  return Object.fromEntries(keys.filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]]));
}

/** One request. Resolves false for an allowed 404/410; throws NETWORK otherwise. */
async function attempt(
  url: string,
  ctx: HttpContext,
  opts: HttpOptions,
  policy: NetworkPolicy,
  signal: AbortSignal,
  sink: BodySink,
): Promise<boolean> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const what = `GET ${redact(url)}`;
  const fetch = withTimeouts(withUserAgent(ctx.fetch, USER_AGENT), policy);
  let res: Response;
  try {
    res = await fetch(url, { signal, ...(opts.headers === undefined ? {} : { headers: { ...opts.headers } }) });
  } catch (err) {
    const cancelled = signal.aborted;
    const detail = err instanceof Error && err.name === 'TimeoutError' && !cancelled ? 'no answer' : describeCause(err);
    throw new IroncladError('NETWORK', `${what}: ${cancelled ? 'cancelled' : detail}`, {
      cause: err,
      retryable: !cancelled,
      hint: NETWORK_HINT,
    });
  }
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel();
    if (opts.allowNotFound) return false;
    fail('NETWORK', `${what}: ${res.status} not found`, { hint: 'check the mirror URL and suite name' });
  }
  if (!res.ok) {
    await res.body?.cancel();
    const retryable = isRetryableResponse(res.status);
    const retryAfter = parseRetryAfter(res.headers.get('retry-after'), Date.now());
    fail('NETWORK', `${what}: HTTP ${res.status}`, {
      retryable,
      ...(retryAfter === undefined ? {} : { retryAfter }),
      hint: retryable ? 'the server is busy or failing; try again later or use another mirror' : 'check the URL',
    });
  }
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  const tooLarge = (): never =>
    opts.tooLarge
      ? opts.tooLarge(maxBytes)
      : fail('NETWORK', `${what}: response exceeds the limit of ${maxBytes} bytes`);
  if (declared > maxBytes) {
    await res.body?.cancel();
    tooLarge();
  }
  sink.start?.(Number.isFinite(declared) ? declared : undefined);
  let total = 0;
  if (res.body) {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > maxBytes) tooLarge();
      await sink.write(chunk);
    }
  }
  return true;
}
