import type { BigIntStats } from 'node:fs';

/**
 * Files this process has hashed and found to hold their digest, with the identity the file had (device, inode,
 * size, mtime and ctime). A later check of the same unchanged file can then skip reading it: builds in one process
 * (an update over a catalog, a rebuild after a build) check the same stored layers again and again.
 *
 * A write to the file changes its ctime, which no one can set back; but file times are only as fine as the
 * kernel's clock tick, so a file changed within a tick of the check that hashed it could keep its times. As git
 * does with "racily clean" files, a file whose ctime is not well before the hashing began is not remembered.
 */
const verified = new Map<string, string>();
/** A file whose last change is closer than this to the hash that read it is hashed again next time. */
const RACY_MS = 2000;
/** Bounds the memory a long-lived process spends on this (a path and a short identity each). */
const MAX_FILES = 100_000;

function identity(st: BigIntStats, digest: string): string {
  return `${digest} ${st.dev} ${st.ino} ${st.size} ${st.mtimeNs} ${st.ctimeNs}`;
}

/** Whether `path`, as `st` shows it now, was hashed to `digest` by this process and has not changed since. */
export function knownIntact(path: string, st: BigIntStats, digest: string): boolean {
  return verified.get(path) === identity(st, digest);
}

/** Records that `path`, as `st` showed it before hashing began at `hashedAt` (ms since the epoch), holds `digest`. */
export function rememberIntact(path: string, st: BigIntStats, digest: string, hashedAt: number): void {
  if (Number(st.ctimeMs) > hashedAt - RACY_MS) return;
  if (verified.size >= MAX_FILES) verified.clear();
  verified.set(path, identity(st, digest));
}

/** Forgets `path` (found not to hold its digest, or replaced). */
export function forgetIntact(path: string): void {
  verified.delete(path);
}
