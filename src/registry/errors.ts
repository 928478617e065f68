import {
  describeCause,
  type ErrorCode,
  IroncladError,
  isRetryableResponse,
  NETWORK_HINT,
  parseRetryAfter,
  redact,
} from '../core/index.ts';

/**
 * Turns registry responses and transport failures into IroncladError, with `retryable` from the one fixed
 * list in core/retry.ts (STYLE.md rule 9); the retry wrapper reads only `retryable` and `retryAfter`.
 */

/** Error bodies are diagnostics, not data: read at most this much of one. */
export const MAX_ERROR_BODY = 64 * 1024;

/** One entry of the distribution spec's error body (spec: "Error Codes"): `{errors:[{code,message,detail}]}`. */
export interface RegistryDiagnostic {
  readonly code: string;
  readonly message: string;
}

/** Spec error codes that mean "this does not exist". */
const NOT_FOUND_CODES = new Set(['BLOB_UNKNOWN', 'MANIFEST_UNKNOWN', 'NAME_UNKNOWN', 'BLOB_UPLOAD_UNKNOWN']);

/** What a failed request was doing, for the message: `pushing blob sha256:ab… to host/repo`. */
export interface RequestWhat {
  readonly action: string;
  readonly url: string;
}

/** Strips userinfo and the query string of a URL before it goes into a message (core's `redact`). */
export const redactUrl = redact;

/** Reads at most `limit` bytes of a body as text and cancels the rest. Never throws. */
export async function readLimitedText(res: Response, limit = MAX_ERROR_BODY): Promise<string> {
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch {
    // A broken error body still leaves the status to report.
  } finally {
    reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** Parses the spec's error JSON leniently: anything malformed yields no diagnostics rather than a crash. */
export function parseDiagnostics(text: string): RegistryDiagnostic[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof doc !== 'object' || doc === null) return [];
  const errors = (doc as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors.slice(0, 20).flatMap((e: unknown) => {
    if (typeof e !== 'object' || e === null) return [];
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code !== 'string') return [];
    return [{ code: code.slice(0, 100), message: typeof message === 'string' ? message.slice(0, 500) : '' }];
  });
}

function codeFor(status: number, diags: readonly RegistryDiagnostic[]): ErrorCode {
  if (status === 401 || status === 403 || diags.some((d) => d.code === 'UNAUTHORIZED' || d.code === 'DENIED')) {
    return 'REGISTRY_DENIED';
  }
  if (status === 404 || diags.some((d) => NOT_FOUND_CODES.has(d.code))) return 'NOT_FOUND';
  if (diags.some((d) => d.code === 'DIGEST_INVALID')) return 'DIGEST_MISMATCH';
  if (status >= 400 && status < 500 && !isRetryableResponse(status)) return 'INVALID_INPUT';
  return 'REGISTRY_UNAVAILABLE';
}

/**
 * Builds the error for an unexpected response, consuming (at most 64 KiB of) its body.
 * `now` feeds HTTP-date Retry-After values; the status, spec codes and the redacted URL go into the message.
 */
export async function responseError(res: Response, what: RequestWhat, now = 0): Promise<IroncladError> {
  const diags = parseDiagnostics(await readLimitedText(res));
  const code = codeFor(res.status, diags);
  const retryable = isRetryableResponse(
    res.status,
    diags.map((d) => d.code),
  );
  const detail = diags.map((d) => (d.message ? `${d.code}: ${d.message}` : d.code)).join('; ');
  const message = `${what.action}: HTTP ${res.status} from ${redactUrl(what.url)}${detail ? ` (${detail})` : ''}`;
  const hint =
    code === 'REGISTRY_DENIED'
      ? 'check the credentials for this registry (ironclad login, docker login, or IRONCLAD_REGISTRY_USER/_PASSWORD)'
      : undefined;
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'), now);
  return new IroncladError(code, message, {
    retryable,
    ...(hint === undefined ? {} : { hint }),
    ...(retryAfter === undefined ? {} : { retryAfter }),
  });
}

/**
 * Wraps a failure of fetch itself (refused connection, reset, DNS, timeout, abort). Connection problems and
 * timeouts are retryable; an abort requested by the caller is not.
 */
export function transportError(err: unknown, what: RequestWhat, callerSignal?: AbortSignal): IroncladError {
  if (err instanceof IroncladError) return err;
  const name = err instanceof Error ? err.name : '';
  const aborted = callerSignal?.aborted === true;
  const timedOut = name === 'TimeoutError';
  const detail = timedOut ? 'timed out' : aborted ? 'cancelled' : describeCause(err);
  return new IroncladError('REGISTRY_UNAVAILABLE', `${what.action}: ${detail} (${redactUrl(what.url)})`, {
    cause: err,
    retryable: !aborted,
    ...(aborted ? {} : { hint: NETWORK_HINT }),
  });
}
