import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import type { Fetch, Logger } from './context.ts';
import { fail, IroncladError } from './errors.ts';

/**
 * Plain HTTP GET with the behaviour every Ironclad download needs: an idle timeout per attempt, retries with
 * exponential backoff on transient failures only, a byte limit, and NETWORK errors (exit 4) that say what was
 * being fetched. Which failures are transient is decided here once (STYLE.md rule 9): connection errors,
 * timeouts, 408, 429 and 5xx. Everything else fails at once.
 */

/** What the HTTP helpers need from a StageContext (core cannot depend on a stage's full context). */
export interface HttpContext {
  readonly fetch: Fetch;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

export interface HttpOptions {
  /** Abort an attempt when no bytes arrive for this long (headers or body). Default 30 s. */
  readonly idleTimeoutMs?: number;
  /** Extra attempts after the first on a transient failure. Default 4. */
  readonly retries?: number;
  /** First backoff delay; doubles each retry, with jitter, capped at 30 s. Default 500 ms. */
  readonly backoffMs?: number;
  /** Reject a response body larger than this. Default 64 MiB. */
  readonly maxBytes?: number;
  /** Return `undefined` for 404/410 instead of failing (callers with a fallback, e.g. by-hash paths). */
  readonly allowNotFound?: boolean;
  /**
   * Called instead of failing with NETWORK when the body exceeds `maxBytes`; callers that know the exact size
   * from a signed index use it to report an integrity failure (DIGEST_MISMATCH) rather than a network one.
   */
  readonly tooLarge?: (limit: number) => never;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

const DEFAULTS = { idleTimeoutMs: 30_000, retries: 4, backoffMs: 500, maxBytes: 64 * 1024 * 1024 };
const MAX_BACKOFF_MS = 30_000;
const USER_AGENT = 'ironclad';

/** A sink for streamed bodies; `write` may be async. */
interface BodySink {
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
  const found = await withRetries(url, ctx, opts, async () => {
    const chunks: Uint8Array[] = [];
    const ok = await attempt(url, ctx, opts, { write: (c) => void chunks.push(c) });
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
    return await withRetries(url, ctx, opts, async () => {
      const fh = await open(path, 'w', 0o644);
      const hash = createHash('sha256');
      let size = 0;
      try {
        const ok = await attempt(url, ctx, opts, {
          write: async (c) => {
            hash.update(c);
            size += c.length;
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

async function withRetries<T>(url: string, ctx: HttpContext, opts: HttpOptions, run: () => Promise<T>): Promise<T> {
  const retries = opts.retries ?? DEFAULTS.retries;
  const backoff = opts.backoffMs ?? DEFAULTS.backoffMs;
  for (let n = 0; ; n++) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof IroncladError) || !err.retryable || n >= retries || ctx.signal.aborted) throw err;
      // Full jitter keeps many clients from retrying in lockstep; Retry-After wins when the server sent one.
      const exp = Math.min(MAX_BACKOFF_MS, backoff * 2 ** n);
      const delay =
        err.retryAfter !== undefined
          ? Math.min(err.retryAfter * 1000, MAX_BACKOFF_MS)
          : exp / 2 + (Math.random() * exp) / 2;
      ctx.log.debug(`${redact(url)}: ${err.message}; retrying in ${Math.round(delay)} ms (${n + 1}/${retries})`);
      await sleep(delay, ctx.signal);
    }
  }
}

/** One request. Resolves false for an allowed 404/410; throws NETWORK otherwise. */
async function attempt(url: string, ctx: HttpContext, opts: HttpOptions, sink: BodySink): Promise<boolean> {
  const idleMs = opts.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs;
  const maxBytes = opts.maxBytes ?? DEFAULTS.maxBytes;
  const idle = new AbortController();
  let timer = setTimeout(() => idle.abort(), idleMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(), idleMs);
  };
  const signal = AbortSignal.any([ctx.signal, idle.signal]);
  const what = `GET ${redact(url)}`;
  try {
    const res = await ctx.fetch(url, { signal, headers: { 'user-agent': USER_AGENT, ...opts.headers } });
    touch();
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel();
      if (opts.allowNotFound) return false;
      fail('NETWORK', `${what}: ${res.status} not found`, { hint: 'check the mirror URL and suite name' });
    }
    if (!res.ok) {
      await res.body?.cancel();
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
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
    if (declared > maxBytes) tooLarge();
    let total = 0;
    if (res.body) {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        touch();
        total += chunk.length;
        if (total > maxBytes) tooLarge();
        await sink.write(chunk);
      }
    }
    return true;
  } catch (err) {
    if (err instanceof IroncladError) throw err;
    if (ctx.signal.aborted) throw new IroncladError('NETWORK', `${what}: cancelled`, { cause: err });
    const timedOut = idle.signal.aborted;
    const detail = timedOut ? `no data for ${idleMs} ms` : describe(err);
    throw new IroncladError('NETWORK', `${what}: ${detail}`, {
      cause: err,
      retryable: true,
      hint: 'check your network connection or proxy settings, or use another mirror',
    });
  } finally {
    clearTimeout(timer);
  }
}

/** Retry-After in seconds (RFC 9110 §10.2.3); HTTP-dates are ignored because stages have no wall clock here. */
function parseRetryAfter(v: string | null): number | undefined {
  if (v === null || !/^\d{1,6}$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici reports the useful part (ECONNREFUSED, ENOTFOUND) in `cause`.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

/** Drops credentials and the query string, which may carry a signed token (STYLE.md rule 8). */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new IroncladError('NETWORK', 'cancelled'));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new IroncladError('NETWORK', 'cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
