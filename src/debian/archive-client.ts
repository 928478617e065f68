import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { decompress as xzDecompress } from '@napi-rs/lzma/xz';
import {
  fail,
  formatBytes,
  type HttpOptions,
  httpGetBytes,
  isIroncladError,
  type StageContext,
  sha256Hex,
} from '../core/index.ts';
import { cachedBytes, downloadToCache, type ExpectedContent, storeBytes } from './archive-cache.ts';
import { checkNotRolledBack, lastSeenRelease } from './archive-freshness.ts';
import type { Distro } from './distro.ts';
import { IndexMemo } from './index-memo.ts';
import { verifyInRelease } from './inrelease.ts';
import { loadTrustedKeys, type TrustedKeys } from './keyring.ts';
import { parsePackagesIndex } from './packages-index.ts';
import type { ReleaseFile } from './release.ts';
import type { PackageEntry } from './types.ts';
import { forgetUniverses } from './universe.ts';

/**
 * The archive client: InRelease → verify → Packages index (hash-checked against the signed Release) → entries,
 * and .deb downloads checked against the Packages entry. Index files and .debs live in the content-addressed
 * cache, so a warm run downloads only the InRelease files (which must be fresh to be meaningful).
 */

/** One verified suite; its first four fields are a lockfile's `LockedSuite`. */
export interface ArchiveSuite {
  readonly suite: string;
  readonly baseUrl: string;
  /** The Release `Date:` as written. */
  readonly date: string;
  readonly inReleaseSha256: string;
  /** Primary fingerprints of the pinned keys whose signatures verified. */
  readonly signers: readonly string[];
  readonly release: ReleaseFile;
}

export interface Archive {
  readonly distro: string;
  /** Debian architecture of the packages (arch `all` packages are included). */
  readonly architecture: string;
  /** In the distro config's order. */
  readonly suites: readonly ArchiveSuite[];
  /** Every entry of every index, suites in config order, each index in file order. */
  readonly packages: readonly PackageEntry[];
}

export interface OpenArchiveOptions {
  /** Debian architecture, e.g. `amd64`. */
  readonly architecture: string;
  /** HTTP behaviour (timeouts, retries); defaults suit deb.debian.org. */
  readonly http?: HttpOptions;
  /**
   * Load the Packages indices (default true). False verifies only the InRelease files, leaving `packages`
   * empty: enough to learn the archive's identity, e.g. to look up a cached resolution.
   */
  readonly indices?: boolean;
  /**
   * Accept an InRelease older than the newest already seen for its suite (`--allow-archive-rollback`). Default
   * false: a replayed or rolled-back archive is refused. Snapshot archives are historical by design and exempt.
   */
  readonly allowRollback?: boolean;
  /**
   * Use no network: open the newest InRelease already fetched for each suite (kept in the download cache) and the
   * indices it names from the cache; NETWORK when something was never fetched. Valid-Until is not applied: the
   * caller reports the index's Date instead of claiming it is current.
   */
  readonly offline?: boolean;
}

/** The uncompressed size limit of one Packages index (bookworm main amd64 is ~50 MB). */
export const MAX_PACKAGES_INDEX_BYTES = 256 * 1024 * 1024;
/** InRelease files are ~150 KB; the parser has its own, larger limit. */
const MAX_INRELEASE_BYTES = 16 * 1024 * 1024;
const ARCH_RE = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Opens every suite of `distro` for one architecture: fetches and verifies each InRelease, then loads the
 * Packages index of each component for the architecture (and `binary-all` where the archive keeps arch-all
 * packages separately). Suites are fetched in parallel. Throws ARCHIVE_UNTRUSTED (signature, key, expiry,
 * future Date, rollback),
 * DIGEST_MISMATCH (an index differs from the Release), NOT_FOUND (component or architecture not in the archive),
 * NETWORK, or INVALID_INPUT (malformed Release or Packages).
 */
export async function openArchive(distro: Distro, ctx: StageContext, opts: OpenArchiveOptions): Promise<Archive> {
  const arch = opts.architecture;
  if (!ARCH_RE.test(arch) || arch === 'all') fail('USAGE', `invalid architecture "${arch.slice(0, 40)}"`);
  const trusted = await loadTrustedKeys(
    distro.keyring,
    distro.signingKeys.map((k) => k.fingerprint),
  );
  const jobs = distro.repositories.flatMap((repo) =>
    repo.suites.map((suite) => openSuite(repo.url, suite, repo.components, trusted, distro, ctx, opts)),
  );
  // Every suite settles before a failure is thrown: none is left writing into the caches after openArchive returns.
  const settled = await Promise.allSettled(jobs);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  const opened = settled.map((r) => (r as PromiseFulfilledResult<Awaited<(typeof jobs)[number]>>).value);
  return {
    distro: distro.name,
    architecture: arch,
    suites: opened.map((o) => o.suite),
    packages: opened.flatMap((o) => o.packages),
  };
}

/** The lockfile view of a suite (`LockedSuite`): only the identity fields, nothing derived. */
export function toLockedSuite(s: ArchiveSuite): {
  suite: string;
  baseUrl: string;
  date: string;
  inReleaseSha256: string;
} {
  return { suite: s.suite, baseUrl: s.baseUrl, date: s.date, inReleaseSha256: s.inReleaseSha256 };
}

async function openSuite(
  baseUrl: string,
  suite: string,
  components: readonly string[],
  trusted: TrustedKeys,
  distro: Distro,
  ctx: StageContext,
  opts: OpenArchiveOptions,
): Promise<{ suite: ArchiveSuite; packages: PackageEntry[] }> {
  const url = `${baseUrl}/dists/${suite}/InRelease`;
  const bytes =
    opts.offline === true ? await lastFetchedInRelease(baseUrl, suite, ctx) : await fetchInRelease(url, ctx, opts);
  const verified = await verifyInRelease(bytes, trusted, {
    suite,
    now: ctx.now(),
    // Offline, the last fetched index is read for what it is, an index of its Date (callers say which date).
    checkValidUntil: distro.checkValidUntil && opts.offline !== true,
  });
  ctx.log.debug(`${suite}: InRelease sha256:${verified.inReleaseSha256} signed by ${verified.signers.join(', ')}`);
  if (opts.offline !== true) {
    await storeBytes(ctx.home, { sha256: verified.inReleaseSha256, size: bytes.length }, bytes);
  }
  if (distro.snapshot === undefined && opts.offline !== true) {
    await checkNotRolledBack({
      home: ctx.home,
      url: `${baseUrl}/dists/${suite}`,
      suite,
      release: verified.release,
      inReleaseSha256: verified.inReleaseSha256,
      inReleaseSize: bytes.length,
      allowRollback: opts.allowRollback === true,
      warn: (m) => ctx.log.warn(m),
    });
  }
  const { release } = verified;
  const arches = indexArchitectures(release, suite, opts.architecture);
  const packages: PackageEntry[] = [];
  for (const component of opts.indices === false ? [] : components) {
    checkComponent(release, suite, component);
    for (const arch of arches) {
      const where: IndexLocation = { baseUrl, suite, component, arch, release, offline: opts.offline === true };
      packages.push(...(await loadPackagesIndex(where, ctx, opts.http ?? {})));
    }
  }
  const info: ArchiveSuite = {
    suite,
    baseUrl,
    date: release.dateRaw,
    inReleaseSha256: verified.inReleaseSha256,
    signers: verified.signers,
    release,
  };
  return { suite: info, packages };
}

/** Downloads an InRelease (verified by the caller, then kept in the download cache for `offline` reads). */
async function fetchInRelease(url: string, ctx: StageContext, opts: OpenArchiveOptions): Promise<Uint8Array> {
  ctx.log.progress(`${url}: fetching InRelease`);
  return (await httpGetBytes(url, ctx, { ...opts.http, maxBytes: MAX_INRELEASE_BYTES }))!;
}

/**
 * The newest InRelease seen for a suite (archive-freshness.ts remembers which), from the download cache. It is
 * verified again by the caller like a downloaded one. NETWORK when there is none: nothing was fetched yet.
 */
async function lastFetchedInRelease(baseUrl: string, suite: string, ctx: StageContext): Promise<Uint8Array> {
  const seen = await lastSeenRelease(ctx.home, `${baseUrl}/dists/${suite}`);
  const bytes =
    seen?.inReleaseSize === undefined
      ? undefined
      : await cachedBytes(ctx.home, { sha256: seen.inReleaseSha256, size: seen.inReleaseSize });
  return (
    bytes ??
    fail('NETWORK', `${suite}: no InRelease of ${baseUrl} was fetched yet, and this run is offline`, {
      hint: 'run once without --offline (or `ironclad lock`) to fetch the archive index',
    })
  );
}

/** `[arch]`, plus `all` when the archive lists arch-all packages only in `binary-all` (Repository Format). */
function indexArchitectures(release: ReleaseFile, suite: string, arch: string): string[] {
  if (!release.architectures.includes(arch)) {
    fail('NOT_FOUND', `${suite}: the archive has no ${arch} packages`, {
      hint: `architectures in this suite: ${release.architectures.join(' ')}`,
    });
  }
  return release.architectures.includes('all') && !release.archAllInArchIndices ? [arch, 'all'] : [arch];
}

/** The security archive lists `updates/main` for the `main` directory; either spelling names the component. */
function checkComponent(release: ReleaseFile, suite: string, component: string): void {
  if (release.components.some((c) => c === component || c.endsWith(`/${component}`))) return;
  fail('NOT_FOUND', `${suite}: the archive has no component ${component}`, {
    hint: `components in this suite: ${release.components.join(' ')}`,
  });
}

interface IndexLocation {
  readonly baseUrl: string;
  readonly suite: string;
  readonly component: string;
  readonly arch: string;
  readonly release: ReleaseFile;
  /** Read the index from the download cache only. */
  readonly offline: boolean;
}

const COMPRESSIONS = ['.xz', '.gz', ''] as const;

async function loadPackagesIndex(
  at: IndexLocation,
  ctx: StageContext,
  http: HttpOptions,
): Promise<readonly PackageEntry[]> {
  const plainPath = `${at.component}/binary-${at.arch}/Packages`;
  const ext = COMPRESSIONS.find((e) => at.release.files.has(plainPath + e));
  if (ext === undefined) {
    // An arch-all index is optional; the architecture's own index is not.
    if (at.arch === 'all') return [];
    fail('NOT_FOUND', `${at.suite}: the Release lists no index ${plainPath}`);
  }
  const path = plainPath + ext;
  const expect = at.release.files.get(path)!;
  const what = `${at.suite} ${path}`;
  const plain = at.release.files.get(plainPath);
  if (plain !== undefined && plain.size > MAX_PACKAGES_INDEX_BYTES) {
    fail('INVALID_INPUT', `${what}: index of ${plain.size} bytes exceeds the limit of ${MAX_PACKAGES_INDEX_BYTES}`);
  }
  const raw = await fetchIndexBytes(at, path, expect, what, ctx, http);
  // `raw` was checked against the digest the verified Release lists: an index parsed from the same bytes earlier
  // in this process is the same result, and decompressing and parsing it again would cost seconds.
  const key = [at.baseUrl, at.suite, at.component, path, expect.size, expect.sha256, plain?.size, plain?.sha256].join(
    '\n',
  );
  return parsedIndices.get(key, () => parseIndexBytes(raw, at, ext, what, plain));
}

const parsedIndices = new IndexMemo();

/**
 * Lets go of the package indices and universes this process keeps for its next lock (hundreds of MB for two
 * distributions). A process that has locked everything it will lock calls it before its builds and tests: held,
 * they are memory the builds cannot use, walked by every major garbage collection of every build.
 */
export function forgetParsedArchives(): void {
  parsedIndices.clear();
  forgetUniverses();
}

async function parseIndexBytes(
  raw: Uint8Array,
  at: IndexLocation,
  ext: (typeof COMPRESSIONS)[number],
  what: string,
  plain: ExpectedContent | undefined,
): Promise<PackageEntry[]> {
  const plainPath = `${at.component}/binary-${at.arch}/Packages`;
  const data = await decompressIndex(raw, ext, what);
  if (plain !== undefined && ext !== '' && (data.length !== plain.size || sha256Hex(data) !== plain.sha256)) {
    fail('DIGEST_MISMATCH', `${what}: decompressed index does not match the Release's ${plainPath} entry`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch (err) {
    return fail('INVALID_INPUT', `${what}: not valid UTF-8`, { cause: err });
  }
  return parsePackagesIndex(text, { suite: at.suite, component: at.component, baseUrl: at.baseUrl });
}

/** From the cache when present and intact; otherwise by-hash first (Acquire-By-Hash), then the plain path. */
async function fetchIndexBytes(
  at: IndexLocation,
  path: string,
  expect: ExpectedContent,
  what: string,
  ctx: StageContext,
  http: HttpOptions,
): Promise<Uint8Array> {
  const hit = await cachedBytes(ctx.home, expect);
  if (hit !== undefined) {
    ctx.log.debug(`${what}: cached`);
    return hit;
  }
  if (at.offline) {
    fail('NETWORK', `${what}: not in the download cache, and this run is offline`, {
      hint: 'run once without --offline to fetch the package indices',
    });
  }
  ctx.log.progress(`${what}: downloading ${formatBytes(expect.size)}`);
  const dir = path.slice(0, path.lastIndexOf('/'));
  const root = `${at.baseUrl}/dists/${at.suite}`;
  // by-hash URLs never change content, so they are immune to a mirror updating between InRelease and index.
  const urls = at.release.acquireByHash
    ? [`${root}/${dir}/by-hash/SHA256/${expect.sha256}`, `${root}/${path}`]
    : [`${root}/${path}`];
  await downloadToCache(urls, ctx.home, expect, ctx, what, { label: what, ...http });
  const bytes = await cachedBytes(ctx.home, expect);
  return bytes ?? fail('DIGEST_MISMATCH', `${what}: cache entry changed while reading it`);
}

const gunzipAsync = promisify(gunzip);

async function decompressIndex(raw: Uint8Array, ext: (typeof COMPRESSIONS)[number], what: string): Promise<Uint8Array> {
  try {
    let out: Uint8Array;
    if (ext === '.xz') out = await xzDecompress(raw);
    else if (ext === '.gz') out = await gunzipAsync(raw, { maxOutputLength: MAX_PACKAGES_INDEX_BYTES });
    else out = raw;
    if (out.length > MAX_PACKAGES_INDEX_BYTES) {
      fail('INVALID_INPUT', `${what}: decompressed index exceeds ${MAX_PACKAGES_INDEX_BYTES} bytes`);
    }
    return out;
  } catch (err) {
    if (isIroncladError(err)) throw err;
    return fail('INVALID_INPUT', `${what}: cannot decompress`, { cause: err });
  }
}
