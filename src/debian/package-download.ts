import { fail, formatBytes, type HttpOptions, type StageContext } from '../core/index.ts';
import { cachedFile, downloadToCache } from './archive-cache.ts';

/**
 * .deb downloads into the content-addressed cache, verified against the size and sha256 of the signed Packages
 * entry (or the lockfile, which copied them from one). A cached .deb is re-hashed on every use; a corrupt one is
 * removed and fetched again. A download goes to a temp file that is renamed only once verified, so an interrupted
 * run leaves no partial entry, and the next run fetches only what is still missing.
 */

/** The fields needed to fetch one .deb: a PackageEntry has them, and a LockedPackage plus its suite's baseUrl. */
export interface PackageFileRef {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  /** Archive root the filename is relative to. */
  readonly baseUrl: string;
  /** Pool path, e.g. `pool/main/t/tzdata/tzdata_2025b-0+deb12u1_all.deb`. */
  readonly filename: string;
  readonly size: number;
  readonly sha256: string;
}

export interface FetchDebsOptions {
  /** Parallel downloads. Default 4: enough to fill a link without hammering a mirror. */
  readonly concurrency?: number;
  readonly http?: HttpOptions;
}

const SHA256_RE = /^[0-9a-f]{64}$/;

/**
 * Returns the path of the verified .deb for `ref` in the cache, downloading it when absent or corrupt.
 * Throws DIGEST_MISMATCH when the server's bytes differ from `ref`, INVALID_INPUT for an unsafe filename or a
 * malformed digest, NOT_SERVED when the archive no longer has it, NETWORK when it cannot be fetched. The returned
 * file must not be modified.
 */
export async function fetchPackageFile(
  ref: PackageFileRef,
  ctx: StageContext,
  http: HttpOptions = {},
): Promise<string> {
  const what = `${ref.name}_${ref.version} (${ref.architecture})`;
  if (!SHA256_RE.test(ref.sha256)) fail('INVALID_INPUT', `${what}: malformed sha256 "${ref.sha256.slice(0, 80)}"`);
  if (!Number.isSafeInteger(ref.size) || ref.size < 0) fail('INVALID_INPUT', `${what}: invalid size ${ref.size}`);
  const expect = { sha256: ref.sha256, size: ref.size };
  const hit = await cachedFile(ctx.home, expect);
  if (hit !== undefined) return hit;
  ctx.log.tick(`fetching ${what}`);
  return downloadToCache([packageUrl(ref, what)], ctx.home, expect, ctx, what, { label: what, ...http });
}

/**
 * Fetches many .debs with at most `concurrency` downloads at a time; resolves to their cache paths in the order
 * of `refs`. On the first failure no new download starts, and the promise rejects with that error once the
 * downloads already running have settled.
 */
export async function fetchDebs(
  refs: readonly PackageFileRef[],
  ctx: StageContext,
  opts: FetchDebsOptions = {},
): Promise<string[]> {
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? 4, 32));
  const paths: string[] = new Array(refs.length);
  let next = 0;
  let done = 0;
  let doneBytes = 0;
  const totalBytes = formatBytes(refs.reduce((n, r) => n + r.size, 0));
  ctx.log.progress(`${refs.length} packages (${totalBytes}): checking the cache, fetching what is missing`);
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < refs.length) {
      const i = next++;
      try {
        paths[i] = await fetchPackageFile(refs[i]!, ctx, opts.http ?? {});
        done++;
        doneBytes += refs[i]!.size;
        ctx.log.tick(`fetched ${done}/${refs.length} packages, ${formatBytes(doneBytes)} of ${totalBytes}`);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, refs.length) }, worker));
  if (failed !== undefined) throw failed;
  return paths;
}

/**
 * The download URL. Each path segment is percent-encoded: `+` (common in Debian versions) is otherwise read as a
 * space by some object-store mirrors. A filename that could leave the archive root is refused.
 */
function packageUrl(ref: PackageFileRef, what: string): string {
  const segments = ref.filename.split('/');
  if (ref.filename.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    fail('INVALID_INPUT', `${what}: unsafe filename "${ref.filename.slice(0, 200)}"`);
  }
  return `${ref.baseUrl.replace(/\/+$/, '')}/${segments.map(encodeURIComponent).join('/')}`;
}
