import { formatPlatform, type Platform, parsePlatform, platformMatches } from '../../oci/index.ts';
import type { CheckResult } from '../types.ts';
import { failed, passed, skipped } from './check.ts';

export const DECLARED_PLATFORMS = 'declared-platforms';

/** Every platform the definition declares is present in the image index. */
export function declaredPlatforms(declared: readonly string[] | undefined, present: readonly Platform[]): CheckResult {
  if (declared === undefined) return skipped(DECLARED_PLATFORMS, 'no definition given: nothing declared');
  const missing = declared.filter((d) => {
    const want = parsePlatform(d);
    return want === undefined || !present.some((p) => platformMatches(p, want));
  });
  const have = present.map(formatPlatform).join(', ');
  return missing.length === 0
    ? passed(DECLARED_PLATFORMS, `all declared platforms present (${have})`)
    : failed(DECLARED_PLATFORMS, `missing ${missing.join(', ')} (image has ${have || 'none'})`);
}
