import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  fail,
  type Home,
  type HttpContext,
  type HttpOptions,
  httpDownloadFile,
  redact,
  sha256File,
  sha256Hex,
  siblingTempPath,
  writeFileAtomic,
} from '../core/index.ts';

/**
 * The content-addressed download cache under `<home>/cache/sha256/<2 hex>/<64 hex>`. Everything stored here was
 * verified against a digest from a signed source (Release → Packages → .deb) before it was renamed into place,
 * and is verified again on every read: a corrupt or truncated entry is deleted and reported as a miss, so the
 * caller fetches it again. Writes go through a temp file in the same directory and a rename, so a crash leaves
 * at most a stray temp file, never a wrong entry.
 */

/** The digest and size an entry must have; both come from a signed index. */
export interface ExpectedContent {
  readonly sha256: string;
  readonly size: number;
}

const SHA256_RE = /^[0-9a-f]{64}$/;

/** Path of the entry for `sha256` (which must be lower-case hex). */
export function cachePath(home: Home, sha256: string): string {
  if (!SHA256_RE.test(sha256)) fail('INTERNAL', `not a sha256 digest: ${sha256.slice(0, 80)}`);
  return join(home.cache('sha256'), sha256.slice(0, 2), sha256);
}

/** The path of a verified entry, or `undefined` when it is absent or was corrupt (and has been removed). */
export async function cachedFile(home: Home, expect: ExpectedContent): Promise<string | undefined> {
  const path = cachePath(home, expect.sha256);
  const st = await stat(path).catch(() => undefined);
  if (st === undefined) return undefined;
  if (st.size === expect.size) {
    const { hex } = await sha256File(path);
    if (hex === expect.sha256) return path;
  }
  await rm(path, { force: true });
  return undefined;
}

/** The bytes of a verified entry, or `undefined` as for {@link cachedFile}. Reads the file once. */
export async function cachedBytes(home: Home, expect: ExpectedContent): Promise<Uint8Array | undefined> {
  const path = cachePath(home, expect.sha256);
  const bytes = await readFile(path).catch(() => undefined);
  if (bytes === undefined) return undefined;
  if (bytes.length === expect.size && sha256Hex(bytes) === expect.sha256) return bytes;
  await rm(path, { force: true });
  return undefined;
}

/** Stores bytes that the caller has already verified against `expect`. */
export async function storeBytes(home: Home, expect: ExpectedContent, bytes: Uint8Array): Promise<string> {
  if (bytes.length !== expect.size || sha256Hex(bytes) !== expect.sha256) {
    fail('INTERNAL', `refusing to cache bytes that do not match sha256:${expect.sha256}`);
  }
  const path = cachePath(home, expect.sha256);
  await writeFileAtomic(path, bytes);
  return path;
}

/**
 * Downloads the first of `urls` that exists (404/410 moves on to the next) into the cache, verifying size and
 * sha256 before the entry becomes visible. `what` names the object in messages
 * (e.g. `bookworm main/binary-amd64/Packages.xz`). Returns the entry's path.
 * Throws DIGEST_MISMATCH when the bytes differ from `expect`, NOT_SERVED when every URL answered 404/410, NETWORK
 * when none could be fetched.
 */
export async function downloadToCache(
  urls: readonly string[],
  home: Home,
  expect: ExpectedContent,
  ctx: HttpContext,
  what: string,
  http: HttpOptions = {},
): Promise<string> {
  const path = cachePath(home, expect.sha256);
  await mkdir(dirname(path), { recursive: true });
  // Never larger than announced: a server cannot make us write more than the signed size.
  for (const url of urls) {
    const opts: HttpOptions = {
      ...http,
      maxBytes: expect.size,
      allowNotFound: true,
      tooLarge: () => mismatch(what, expect, `more than ${expect.size} bytes from ${redact(url)}`),
    };
    const tmp = siblingTempPath(path);
    const got = await httpDownloadFile(url, tmp, ctx, opts);
    if (got === undefined) continue;
    if (got.size !== expect.size || got.sha256 !== expect.sha256) {
      await rm(tmp, { force: true });
      mismatch(what, expect, `sha256:${got.sha256} (${got.size} bytes) from ${redact(url)}`);
    }
    try {
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return path;
  }
  return fail('NOT_SERVED', `fetching ${what}: not found on the server`, {
    hint: `tried ${urls.map(redact).join(', ')}`,
  });
}

function mismatch(what: string, expect: ExpectedContent, got: string): never {
  return fail('DIGEST_MISMATCH', `fetching ${what}: sha256 mismatch`, {
    hint: `expected sha256:${expect.sha256} (${expect.size} bytes), got ${got}; the mirror may be mid-update or tampered with`,
  });
}
