import { createHash, type Hash } from 'node:crypto';
import { fail } from '../core/index.ts';
import type { Digest } from './types.ts';

/**
 * Digests as the OCI image spec defines them (descriptor.md, "Digests"). Only sha256 is accepted: it is the
 * one algorithm every registry and runtime supports, and a second one would double every comparison path.
 */
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

/** True when `s` is a well-formed `sha256:<64 lowercase hex>` digest. */
export function isDigest(s: unknown): s is Digest {
  return typeof s === 'string' && DIGEST_RE.test(s);
}

/**
 * Validates and brands a digest string.
 * @throws IroncladError INVALID_INPUT when `s` is not `sha256:<64 lowercase hex>`.
 */
export function parseDigest(s: string, what = 'digest'): Digest {
  if (!isDigest(s)) {
    fail('INVALID_INPUT', `invalid ${what} ${JSON.stringify(s.slice(0, 100))}`, {
      hint: 'a digest is "sha256:" followed by 64 lowercase hex characters',
    });
  }
  return s;
}

/** The sha256 digest of some bytes (a string is hashed as UTF-8). */
export function digestOf(bytes: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
}

/** The hex part of a digest, e.g. for blob paths. */
export function digestHex(d: Digest): string {
  return d.slice('sha256:'.length);
}

/** Incremental sha256 over a stream of chunks, counting bytes as it goes. */
export class Digester {
  readonly #hash: Hash = createHash('sha256');
  #size = 0;
  #done: Digest | undefined;

  update(chunk: Uint8Array): void {
    if (this.#done !== undefined) fail('INTERNAL', 'Digester updated after digest()');
    this.#hash.update(chunk);
    this.#size += chunk.length;
  }

  /** Bytes seen so far. */
  get size(): number {
    return this.#size;
  }

  /** Finalises the hash; may be called more than once and returns the same value. */
  digest(): Digest {
    this.#done ??= `sha256:${this.#hash.digest('hex')}` as Digest;
    return this.#done;
  }
}
