import { fail } from '../core/index.ts';
import { SEVERITIES } from '../vuln/index.ts';
import type { CompareResult } from './types.ts';

/** Conditions of `--exit-on`, as in `docker scout compare --exit-on`. */
export const EXIT_ON_CONDITIONS = ['vulnerability', 'package'] as const;
export type ExitOnCondition = (typeof EXIT_ON_CONDITIONS)[number];

/**
 * Parses a comma-separated `--exit-on` value; blanks are ignored, duplicates collapse.
 * @throws IroncladError USAGE for an unknown condition.
 */
export function parseExitOn(text: string): ExitOnCondition[] {
  const out = new Set<ExitOnCondition>();
  for (const raw of text.split(',')) {
    const c = raw.trim();
    if (c === '') continue;
    if (!(EXIT_ON_CONDITIONS as readonly string[]).includes(c)) {
      fail('USAGE', `--exit-on ${c}: unknown condition`, { hint: `use ${EXIT_ON_CONDITIONS.join(', ')}` });
    }
    out.add(c as ExitOnCondition);
  }
  return [...out];
}

/**
 * Why the comparison should fail, one line per met condition; empty when none is met.
 * - `vulnerability`: the target has more findings than the baseline at some severity (so trading a low for a
 *   critical fails even though the total is unchanged);
 * - `package`: any package was added, removed, upgraded or downgraded.
 * @throws IroncladError USAGE when `vulnerability` is asked for but either side has no vulnerability data:
 *   an unknown answer must not pass silently.
 */
export function exitOnReasons(result: CompareResult, conditions: readonly ExitOnCondition[]): string[] {
  const reasons: string[] = [];
  if (conditions.includes('vulnerability')) {
    const d = result.delta.vulnerabilities;
    if (d === null) {
      const why = [result.target, result.baseline]
        .map((o) => (o.vulnerabilities.available ? null : `${o.ref}: ${o.vulnerabilities.reason}`))
        .filter((x): x is string => x !== null);
      fail('USAGE', '--exit-on vulnerability: vulnerability counts are unavailable', { hint: why.join('; ') });
    }
    const worse = SEVERITIES.filter((s) => d[s] > 0);
    if (worse.length > 0) reasons.push(`vulnerabilities increased: ${worse.map((s) => `+${d[s]} ${s}`).join(', ')}`);
  }
  if (conditions.includes('package')) {
    const changed = result.packages.filter((p) => p.change !== 'unchanged').length;
    if (changed > 0) reasons.push(`${changed} package(s) differ`);
  }
  return reasons;
}
