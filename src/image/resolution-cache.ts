import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex, writeFileAtomic } from '../core/index.ts';
import type { Archive } from '../debian/index.ts';
import type { LockedPlatform } from '../definition/index.ts';

/**
 * Resolutions cached by what determines them: the verified InRelease digest of every suite (which pins every
 * Packages index through its hashes), the repositories, the architecture, the request, and the resolver's
 * revision. A warm `lock` then verifies only the InRelease files and skips fetching and parsing the indices.
 * Entries carry a checksum of their body; a damaged entry is ignored and recomputed.
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

function entryPath(home: string, key: string): string {
  return join(home, 'cache', 'resolutions', `${key}.json`);
}

export async function readCachedResolution(home: string, key: string): Promise<LockedPlatform | undefined> {
  try {
    const { sha256, body } = JSON.parse(await readFile(entryPath(home, key), 'utf8')) as {
      sha256: string;
      body: string;
    };
    if (sha256Hex(body) !== sha256) return undefined;
    return JSON.parse(body) as LockedPlatform;
  } catch {
    return undefined;
  }
}

export async function writeCachedResolution(home: string, key: string, locked: LockedPlatform): Promise<void> {
  const body = JSON.stringify(locked);
  await writeFileAtomic(entryPath(home, key), JSON.stringify({ sha256: sha256Hex(body), body }));
}
