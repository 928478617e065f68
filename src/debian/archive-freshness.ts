import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, type Home, sha256Hex, writeFileAtomic } from '../core/index.ts';
import type { ReleaseFile } from './release.ts';

/**
 * Freshness rules for a verified Release, as apt applies them: a good signature proves who published a file, not
 * that it is current. A mirror (or anyone on the path) can replay an old, correctly signed InRelease to hold back
 * security updates; Debian's main suites carry no Valid-Until, so only memory of what was already seen stops that.
 *
 * - rollback: the newest `Date:` seen per suite URL is remembered under `<home>/archive-state/`; an older one is
 *   refused unless going back is asked for (`--allow-archive-rollback`, or a snapshot, whose URL is its own suite).
 * - future: a `Date:` more than {@link MAX_FUTURE_SKEW_MS} ahead of this machine's clock is refused (apt's
 *   Acquire::Max-FutureTime is 10 s; minutes allow for drifting CI clocks while still refusing a pre-dated file).
 * - Valid-Until in the past and signatures by expired keys are checked in inrelease.ts.
 */

/** How far a Release `Date:` may be ahead of the local clock. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/** What is remembered about one suite URL. */
export interface SeenSuite {
  readonly url: string;
  readonly date: string;
  readonly inReleaseSha256: string;
  /** Size of that InRelease, whose bytes the download cache keeps (absent in records of older versions). */
  readonly inReleaseSize?: number;
}

/** Refuses a Release dated beyond the allowed clock skew (ARCHIVE_UNTRUSTED, naming the rule). */
export function checkNotFromFuture(release: ReleaseFile, suite: string, now: Date): void {
  const ahead = release.date.getTime() - now.getTime();
  if (ahead <= MAX_FUTURE_SKEW_MS) return;
  fail(
    'ARCHIVE_UNTRUSTED',
    `${suite}: InRelease is dated in the future: Date ${release.date.toISOString()} is ${describeSpan(ahead)} ahead of this machine's clock (allowed: ${describeSpan(MAX_FUTURE_SKEW_MS)})`,
    { hint: "check this machine's clock; a mirror cannot publish from the future, so the file is not trustworthy" },
  );
}

export interface RollbackCheck {
  readonly home: Home;
  /** `<archive root>/dists/<suite>`: what is remembered is per URL, so mirrors of one archive share nothing. */
  readonly url: string;
  readonly suite: string;
  readonly release: ReleaseFile;
  readonly inReleaseSha256: string;
  readonly inReleaseSize: number;
  /** Accept an older Date (say so on the log); the newest seen is still kept. */
  readonly allowRollback: boolean;
  readonly warn: (msg: string) => void;
}

/**
 * Refuses a Release older than the newest already seen for its URL (ARCHIVE_UNTRUSTED), else remembers it when it
 * is newer. The same Date (the same file fetched again, or re-signed) is fine.
 */
export async function checkNotRolledBack(c: RollbackCheck): Promise<void> {
  const path = join(c.home.archiveState, `${sha256Hex(c.url)}.json`);
  const seen = await readSeen(path, c.url);
  const seenDate = seen === undefined ? undefined : new Date(seen.date);
  if (seenDate !== undefined && c.release.date < seenDate) {
    const behind = describeSpan(seenDate.getTime() - c.release.date.getTime());
    const what = `${c.suite}: InRelease is older than one already seen (rollback or replay): Date ${c.release.date.toISOString()} is ${behind} before ${seenDate.toISOString()}, seen for ${c.url}`;
    if (!c.allowRollback) {
      fail('ARCHIVE_UNTRUSTED', what, {
        hint: 'the mirror is serving old metadata, which would hold back updates; if going back is intended, pass --allow-archive-rollback or lock against a --snapshot',
      });
    }
    c.warn(`${what}; accepted (--allow-archive-rollback)`);
    return;
  }
  const sameAsSeen = seenDate !== undefined && c.release.date.getTime() === seenDate.getTime();
  if (sameAsSeen && seen?.inReleaseSha256 === c.inReleaseSha256 && seen.inReleaseSize !== undefined) return;
  const record: SeenSuite = {
    url: c.url,
    date: c.release.date.toISOString(),
    inReleaseSha256: c.inReleaseSha256,
    inReleaseSize: c.inReleaseSize,
  };
  await writeFileAtomic(path, `${JSON.stringify(record)}\n`);
}

/** The newest InRelease seen for `url` (`<archive root>/dists/<suite>`), or undefined when none was. */
export async function lastSeenRelease(home: Home, url: string): Promise<SeenSuite | undefined> {
  return readSeen(join(home.archiveState, `${sha256Hex(url)}.json`), url);
}

/** The remembered entry; a damaged file counts as nothing seen (the next verified Release rewrites it). */
async function readSeen(path: string, url: string): Promise<SeenSuite | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<SeenSuite>;
    if (parsed.url !== url || typeof parsed.date !== 'string' || Number.isNaN(Date.parse(parsed.date)))
      return undefined;
    return parsed as SeenSuite;
  } catch {
    return undefined;
  }
}

function describeSpan(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(ms / 3_600_000);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(ms / 86_400_000)} days`;
}
