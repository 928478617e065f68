import { fail } from '../core/index.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes standard padded base64 (RFC 4648 §4), the encoding DSSE, the sigstore bundle JSON mapping and cosign's
 * key files use. Node's decoder silently skips invalid characters, which would let two different strings carry the
 * same signature; we reject anything that is not canonical base64 instead.
 *
 * @param what names the field for the error message, e.g. `DSSE payload`.
 * @throws IroncladError `INVALID_INPUT` on malformed input.
 */
export function decodeBase64(text: string, what: string): Uint8Array {
  if (!BASE64.test(text)) fail('INVALID_INPUT', `${what}: not valid base64`);
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Parses JSON from bytes with a size limit, turning every failure into `INVALID_INPUT` naming `what`. */
export function parseJsonBytes(bytes: Uint8Array | string, what: string, maxBytes: number): unknown {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
  if (size > maxBytes) fail('INVALID_INPUT', `${what}: ${size} bytes exceeds the limit of ${maxBytes}`);
  try {
    const text = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return JSON.parse(text) as unknown;
  } catch (err) {
    return fail('INVALID_INPUT', `${what}: not valid UTF-8 JSON`, { cause: err });
  }
}

/** Narrows to a plain JSON object. */
export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
