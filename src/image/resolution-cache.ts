import { sha256Hex } from '../core/index.ts';
import type { Archive } from '../debian/index.ts';
import type { LockedPlatform } from '../definition/index.ts';
import type { DerivedCache, DerivedCacheOptions } from './derived-cache.ts';
import { derivedCache } from './derived-cache.ts';

/**
 * Resolutions cached by what determines them: the verified InRelease digest of every suite (which pins every
 * Packages index through its hashes), the repositories, the architecture, the request, and the resolver's
 * revision. A warm `lock` then verifies only the InRelease files and skips fetching and parsing the indices.
 * Entries are sealed and bound to that key (derived-cache.ts); `lock --no-cache` resolves from the verified
 * indices without them.
 */

/** Bump when the resolver's choices change, so old entries are not reused. */
const RESOLVER_REVISION = 1;

export interface ResolutionKeyInput {
  readonly archive: Archive;
  readonly repositories: readonly { readonly url: string; readonly components: readonly string[] }[];
  readonly request: { readonly packages: readonly string[]; readonly exclude: readonly string[] };
  readonly platform: string;
}

export function resolutionKey(k: ResolutionKeyInput): string {
  return sha256Hex(
    JSON.stringify({
      revision: RESOLVER_REVISION,
      architecture: k.archive.architecture,
      platform: k.platform,
      suites: k.archive.suites.map((s) => [s.suite, s.baseUrl, s.inReleaseSha256]),
      repositories: k.repositories.map((r) => [r.url, [...r.components]]),
      request: k.request,
    }),
  );
}

export const RESOLUTIONS_KIND = 'resolutions';
export const RESOLUTIONS_FORMAT = `resolver-${RESOLVER_REVISION}`;

export function resolutionCache(opts: DerivedCacheOptions): DerivedCache {
  return derivedCache(RESOLUTIONS_KIND, RESOLUTIONS_FORMAT, opts);
}

export async function readCachedResolution(cache: DerivedCache, key: string): Promise<LockedPlatform | undefined> {
  const payload = await cache.get(key);
  if (payload === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(payload)) as LockedPlatform;
  } catch {
    await cache.discard(key, 'payload is not JSON');
    return undefined;
  }
}

export async function writeCachedResolution(cache: DerivedCache, key: string, locked: LockedPlatform): Promise<void> {
  await cache.put(key, new TextEncoder().encode(JSON.stringify(locked)));
}
