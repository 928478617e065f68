import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Home, type Logger, siblingTempPath, writeFileAtomic } from '../core/index.ts';

/**
 * Derived caches (parsed .debs, compressed layers, resolutions) may only ever save time, never change a result
 * (DESIGN.md, "One Home"). Every entry is sealed:
 *
 * - It is bound to the verified input it was derived from: the header names the kind, the format and the key,
 *   and the key includes the input's digest (the .deb's sha256, the layer's diffId, the InRelease digests). An
 *   entry copied or renamed to another key (another package's entry) no longer matches and is discarded.
 * - It carries an HMAC-SHA256 over header and payload with a secret kept in the home, outside `cache/`. A plain
 *   checksum only catches accidents: whoever can rewrite an entry can rewrite its checksum. Without the secret an
 *   entry cannot be forged, so a cache restored from a shared or untrusted place (a CI cache other branches
 *   write, a copied home without the secret) is rebuilt rather than believed.
 * - The MAC is not the whole defence: whoever can read the home can read the secret. So the kinds whose check is
 *   cheap are re-verified against their input on every use (a cached layer is decompressed and must hash to its
 *   diffId), `rebuild --verify` and `--no-cache` derive everything from the verified inputs without any cache,
 *   and `ironclad cache verify` re-derives every entry it can from its input and removes those that differ.
 *
 * A bad entry is never fatal: it is removed, said on the log, and rebuilt by the caller.
 */

const MAGIC = 'ironclad-derived-v1\n';
const MAC_BYTES = 32;
const KEY_RE = /^[0-9a-f]{64}$/;
/** A header line is a few hundred bytes; this bounds what a hostile file makes us parse. */
const MAX_HEADER_BYTES = 4096;

/** The identity an entry is sealed with; all of it must match on read. */
export interface EntryIdentity {
  /** `deb-contents`, `layers`, `resolutions`. */
  readonly kind: string;
  /** What the payload's encoding depends on (tool revision, V8 or zlib version); a change invalidates entries. */
  readonly format: string;
  /** 64 hex: the input digest or a digest over every input. */
  readonly key: string;
}

/** One kind of derived cache, in one home. */
export interface DerivedCache {
  /** False under `--no-cache` (and for `rebuild --verify`): `get` misses, `put` writes nothing. */
  readonly enabled: boolean;
  /** The payload of a sealed, intact entry; a missing one is a miss, a bad one is removed (and logged) and misses. */
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, payload: Uint8Array): Promise<void>;
  /** Removes the entry for `key` (the caller found it wrong against its input). */
  discard(key: string, why: string): Promise<void>;
  /**
   * Reads parts of the payload of the entry for `key` without reading the rest: its header must name this entry,
   * but its seal is NOT checked (that would read all of it). Only for payloads whose every part the caller checks
   * against digests from another, sealed entry before use. Undefined when missing, disabled or malformed.
   */
  payloadReader(key: string): PayloadReader | undefined;
}

/** Synchronous reads of one entry's payload (a file's bytes are wanted in the middle of pure code). */
export interface PayloadReader {
  readonly size: number;
  /** `length` bytes from `offset` of the payload; throws when the file is gone or shorter than its header said. */
  read(offset: number, length: number): Uint8Array;
}

export interface DerivedCacheOptions {
  readonly home: Home;
  readonly log: Logger;
  /** Default true; false is `--no-cache`. */
  readonly enabled?: boolean;
}

/** The cache of one kind and format in `opts.home`. */
export function derivedCache(kind: string, format: string, opts: DerivedCacheOptions): DerivedCache {
  const { home, log } = opts;
  const enabled = opts.enabled !== false;
  // Without a readable secret nothing can be trusted or sealed: the cache is off, which only costs time.
  const usableSecret = () =>
    cacheSecret(home).catch((err: Error) => {
      log.warn(`cache: ${kind} cache off: cannot read or create ${home.cacheSecret} (${err.message})`);
      return undefined;
    });
  const discard = async (key: string, why: string) => {
    log.warn(`cache: discarding ${kind} entry ${key.slice(0, 16)}: ${why}; rebuilding it from its verified input`);
    await rm(entryPath(home, { kind, format, key }), { force: true });
  };
  return {
    enabled,
    discard,
    async get(key) {
      if (!enabled) return undefined;
      const id = { kind, format, key };
      const bytes = await readFile(entryPath(home, id)).catch(() => undefined);
      if (bytes === undefined) return undefined;
      const secret = await usableSecret();
      if (secret === undefined) return undefined;
      const opened = openEntry(bytes, id, secret);
      if (opened.ok) return opened.payload;
      await discard(key, opened.reason);
      return undefined;
    },
    async put(key, payload) {
      if (!enabled) return;
      const id = { kind, format, key };
      const secret = await usableSecret();
      if (secret === undefined) return;
      const sealed = sealEntry(id, payload, secret);
      // Sealing is deterministic: an entry that already holds these bytes (a layer stored again) is not rewritten,
      // which would cost a synced write each time.
      const path = entryPath(home, id);
      const existing = await readFile(path).catch(() => undefined);
      if (existing === undefined || !existing.equals(sealed)) await writeFileAtomic(path, sealed);
    },
    payloadReader(key) {
      return enabled ? openPayloadReader(entryPath(home, { kind, format, key }), { kind, format, key }) : undefined;
    },
  };
}

function openPayloadReader(path: string, want: EntryIdentity): PayloadReader | undefined {
  const readAt = (position: number, length: number): Buffer => {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buf, done, length - done, position + done);
        if (n === 0) throw new RangeError(`${path} is shorter than its header says`);
        done += n;
      }
      return buf;
    } finally {
      closeSync(fd);
    }
  };
  try {
    const fd = openSync(path, 'r');
    let fileSize: number;
    let head: Buffer;
    try {
      fileSize = fstatSync(fd).size;
      head = Buffer.alloc(Math.min(fileSize, MAGIC.length + MAX_HEADER_BYTES + 1));
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    if (head.subarray(0, MAGIC.length).toString() !== MAGIC) return undefined;
    const end = head.indexOf(0x0a, MAGIC.length);
    if (end < 0) return undefined;
    const header = JSON.parse(head.subarray(MAGIC.length, end).toString()) as Partial<EntryIdentity & { size: number }>;
    if (header.kind !== want.kind || header.format !== want.format || header.key !== want.key) return undefined;
    const start = end + 1;
    const size = header.size;
    if (typeof size !== 'number' || start + size + MAC_BYTES !== fileSize) return undefined;
    return {
      size,
      read(offset, length) {
        if (offset < 0 || length < 0 || offset + length > size) throw new RangeError('read outside the payload');
        return length === 0 ? Buffer.alloc(0) : readAt(start + offset, length);
      },
    };
  } catch {
    return undefined;
  }
}

/** `<home>/cache/derived/<kind>/<format>/<2 hex>/<key>`. */
export function entryPath(home: Home, id: EntryIdentity): string {
  if (!KEY_RE.test(id.key)) throw new TypeError(`derived cache key must be 64 hex digits: ${id.key.slice(0, 80)}`);
  return join(home.cache('derived', id.kind, id.format), id.key.slice(0, 2), id.key);
}

/** MAGIC, a JSON header line naming the entry, the payload, then HMAC-SHA256(secret, everything before). */
export function sealEntry(id: EntryIdentity, payload: Uint8Array, secret: Uint8Array): Buffer {
  const header = `${JSON.stringify({ kind: id.kind, format: id.format, key: id.key, size: payload.length })}\n`;
  const body = Buffer.concat([Buffer.from(MAGIC), Buffer.from(header), payload]);
  return Buffer.concat([body, createHmac('sha256', secret).update(body).digest()]);
}

export type OpenedEntry = { readonly ok: true; readonly payload: Uint8Array } | { readonly ok: false; reason: string };

/** Checks the seal and that the entry is the one asked for; never throws. */
export function openEntry(bytes: Uint8Array, want: EntryIdentity, secret: Uint8Array): OpenedEntry {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < MAGIC.length + MAC_BYTES || buf.subarray(0, MAGIC.length).toString() !== MAGIC) {
    return { ok: false, reason: 'not a sealed cache entry' };
  }
  const body = buf.subarray(0, buf.length - MAC_BYTES);
  const mac = createHmac('sha256', secret).update(body).digest();
  if (!timingSafeEqual(mac, buf.subarray(buf.length - MAC_BYTES))) {
    return { ok: false, reason: 'seal (HMAC) does not verify: changed, or written with another secret' };
  }
  const end = body.indexOf(0x0a, MAGIC.length);
  if (end < 0 || end - MAGIC.length > MAX_HEADER_BYTES) return { ok: false, reason: 'malformed header' };
  let header: Partial<EntryIdentity & { size: number }>;
  try {
    header = JSON.parse(body.subarray(MAGIC.length, end).toString());
  } catch {
    return { ok: false, reason: 'malformed header' };
  }
  for (const field of ['kind', 'format', 'key'] as const) {
    if (header[field] !== want[field]) {
      return { ok: false, reason: `entry is for ${field} ${String(header[field]).slice(0, 80)}, not ${want[field]}` };
    }
  }
  const payload = body.subarray(end + 1);
  if (header.size !== payload.length) return { ok: false, reason: 'payload size differs from its header' };
  return { ok: true, payload };
}

/** Every entry file of one kind and format: key → path. Missing directories are empty. */
export async function listEntries(home: Home, kind: string, format: string): Promise<Map<string, string>> {
  const root = home.cache('derived', kind, format);
  const found = new Map<string, string>();
  const files = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const f of files) if (f.isFile()) found.set(f.name, join(f.parentPath, f.name));
  return found;
}

const secrets = new Map<string, Promise<Buffer>>();

/**
 * The home's MAC secret (32 random bytes, mode 0600), created on first use. It is in the home but outside
 * `cache/`, so a cache directory shared on its own does not carry it. Creation is atomic and
 * create-if-absent (a hard link of a private temp file), so concurrent first builds agree on one secret.
 */
export function cacheSecret(home: Home): Promise<Buffer> {
  let s = secrets.get(home.root);
  if (s === undefined) {
    s = loadOrCreateSecret(home.cacheSecret);
    secrets.set(home.root, s);
    s.catch(() => secrets.delete(home.root));
  }
  return s;
}

async function loadOrCreateSecret(path: string): Promise<Buffer> {
  const existing = await readFile(path).catch(() => undefined);
  if (existing !== undefined && existing.length === 32) return existing;
  await mkdir(dirname(path), { recursive: true });
  const tmp = siblingTempPath(path);
  await writeFile(tmp, randomBytes(32), { mode: 0o600, flag: 'wx' });
  try {
    if (existing !== undefined) await rm(path, { force: true }); // a damaged secret: every entry gets rebuilt
    await link(tmp, path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(tmp, { force: true });
  }
  return readFile(path);
}
