import type { DebContents } from '../debian/index.ts';

/**
 * SOURCE_DATE_EPOCH for an image when none is given: the newest file mtime across its packages. Debian builds
 * clamp every file to the package's changelog date, so this is "the newest package's date" and depends only
 * on the lock. Never 0: an image claiming 1970 misleads age-based policies.
 */
export function defaultEpoch(debs: readonly DebContents[]): number {
  let newest = 0;
  for (const deb of debs) for (const e of deb.entries) if (e.mtime > newest) newest = e.mtime;
  // 2000-01-01 as a floor for packages with zeroed timestamps.
  return Math.max(newest, 946684800);
}
