import type { RangeEvent } from './osv-record.ts';

/** Total order on an ecosystem's versions (negative, zero, positive), e.g. dpkg's for Debian. */
export type VersionCompare = (a: string, b: string) => number;

export interface RangeVerdict {
  readonly affected: boolean;
  /** Lowest `fixed` above the installed version in an affecting range, or null (no fix yet). */
  readonly fixed: string | null;
}

const eventVersion = (e: RangeEvent): string => Object.values(e)[0] as string;

/**
 * Evaluates OSV `ECOSYSTEM` ranges and an explicit `versions` list for one installed version, following
 * the OSV schema's evaluation algorithm (https://ossf.github.io/osv-schema/#evaluation): events are
 * sorted by version (`introduced: "0"` first); walking them, `introduced <= v` turns "affected" on,
 * `fixed <= v` or `last_affected < v` turns it off. `limit` only bounds GIT ranges and is ignored here.
 * The version is also affected when listed in `versions` (the union the schema prescribes).
 * Throws whatever `compare` throws for an invalid version; callers decide how to report that.
 */
export function evaluateRanges(
  version: string,
  ranges: readonly (readonly RangeEvent[])[],
  versions: readonly string[],
  compare: VersionCompare,
): RangeVerdict {
  for (const events of ranges) {
    const sorted = [...events]
      .filter((e) => !('limit' in e))
      .sort((a, b) => {
        const za = 'introduced' in a && a.introduced === '0';
        const zb = 'introduced' in b && b.introduced === '0';
        if (za || zb) return za === zb ? 0 : za ? -1 : 1;
        return compare(eventVersion(a), eventVersion(b));
      });
    let affected = false;
    let fixed: string | null = null;
    for (const e of sorted) {
      if ('introduced' in e) {
        if (e.introduced === '0' || compare(version, e.introduced) >= 0) {
          affected = true;
          fixed = null;
        }
      } else if ('fixed' in e) {
        if (compare(version, e.fixed) >= 0) affected = false;
        else if (affected && fixed === null) fixed = e.fixed;
      } else if ('last_affected' in e && compare(version, e.last_affected) > 0) {
        affected = false;
      }
    }
    if (affected) return { affected, fixed };
  }
  if (versions.some((v) => v === version || compare(v, version) === 0)) return { affected: true, fixed: null };
  return { affected: false, fixed: null };
}
