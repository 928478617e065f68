import type { Fetch } from './context.ts';
import { IroncladError } from './errors.ts';
import { NETWORK_HINT, type NetworkPolicy } from './retry.ts';

/**
 * Small fetch wrappers both HTTP clients stack (archive: core/http.ts, registries: registry/client.ts):
 * user-agent → timeouts, with retries around them (retry.ts). Nothing here decides whether to retry.
 */

/** Adds a User-Agent header unless the caller set one. */
export function withUserAgent(fetch: Fetch, userAgent: string): Fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    if (!headers.has('user-agent')) headers.set('user-agent', userAgent);
    return fetch(input, { ...init, headers });
  };
}

/**
 * Aborts a request that gets no response headers within `requestTimeoutMs`, and a response body that stays
 * silent for `idleTimeoutMs` while it is being read. A per-request AbortSignal.timeout would also cut a
 * large, healthy download, hence the idle watchdog for bodies. The caller's signal (init.signal) is honoured
 * throughout. A body that fails mid-way (stall, dropped connection, cancellation) errors with a NETWORK
 * IroncladError naming the URL, retryable unless the caller cancelled, never with a bare socket error.
 */
export function withTimeouts(fetch: Fetch, t: Pick<NetworkPolicy, 'requestTimeoutMs' | 'idleTimeoutMs'>): Fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const ctl = new AbortController();
    const outer = init?.signal ?? undefined;
    // AbortSignal.any holds its sources weakly, so per-request signals do not pile up listeners on `outer`.
    const signal = outer === undefined ? ctl.signal : AbortSignal.any([outer, ctl.signal]);
    const timeoutError = () => new DOMException('request timed out', 'TimeoutError');
    let timer = setTimeout(() => ctl.abort(timeoutError()), t.requestTimeoutMs);
    let res: Response;
    try {
      res = await fetch(input, { ...init, signal });
    } catch (err) {
      throw ctl.signal.aborted && outer?.aborted !== true ? timeoutError() : err;
    } finally {
      clearTimeout(timer);
    }
    if (res.body === null) return res;
    const reader = res.body.getReader();
    let idle = false;
    const failure = (err: unknown): IroncladError => {
      if (err instanceof IroncladError) return err;
      const cancelled = outer?.aborted === true;
      const detail = idle
        ? `no data for ${t.idleTimeoutMs / 1000} s`
        : cancelled
          ? describeAbort(outer?.reason)
          : describeCause(err);
      return new IroncladError('NETWORK', `reading the response from ${redact(url)}: ${detail}`, {
        cause: err,
        retryable: !cancelled,
        hint: NETWORK_HINT,
      });
    };
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        // The watchdog runs only while we wait for the server, so a slow consumer is not mistaken for a stall.
        timer = setTimeout(() => {
          idle = true;
          ctl.abort(timeoutError());
        }, t.idleTimeoutMs);
        try {
          const { done, value } = await reader.read();
          if (done) c.close();
          else c.enqueue(value);
        } catch (err) {
          c.error(failure(err));
        } finally {
          clearTimeout(timer);
        }
      },
      cancel(reason) {
        clearTimeout(timer);
        return reader.cancel(reason).catch(() => {});
      },
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

function describeAbort(reason: unknown): string {
  return reason instanceof Error && reason.name === 'TimeoutError' ? 'the network deadline passed' : 'cancelled';
}

/** The useful part of a fetch failure: undici says "fetch failed"/"terminated" and puts the socket error in `cause`. */
export function describeCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  const code = cause instanceof Error ? (cause as { code?: string }).code : undefined;
  // undici's code for a socket closed by the other side before the response was complete.
  if (code === 'UND_ERR_SOCKET') return 'the server closed the connection before the response was complete';
  if (cause instanceof Error) return `${err.message}: ${code ?? cause.message}`;
  return err.message;
}

/** Drops credentials, the query string and the fragment, which may carry a signed token (STYLE.md rule 8). */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}
