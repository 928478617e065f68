import { parseCvssV3 } from './cvss.ts';
import { SEVERITIES, type Severity, type SeveritySource } from './types.ts';

/**
 * Debian security tracker urgency → severity. Debian's own assessment wins over CVSS because it
 * judges the flaw as shipped in Debian (e.g. `unimportant` for code that is never built).
 * See docs/vulnerabilities.md for the full mapping and how it differs from trivy and grype.
 */
const URGENCY: Readonly<Record<string, Severity>> = {
  unimportant: 'negligible',
  low: 'low',
  medium: 'medium',
  high: 'high',
};

/**
 * Normalises an urgency as found in the data. The tracker has used suffixes such as `low*` / `low**`
 * (urgency guessed from an upstream score, or set without analysis); the level before them is what counts.
 */
export function normalizeUrgency(urgency: string | null): string | null {
  if (urgency === null) return null;
  const u = urgency.trim().toLowerCase().replace(/\*+$/, '');
  return u === '' ? null : u;
}

export interface SeverityDecision {
  readonly severity: Severity;
  readonly source: SeveritySource;
  readonly cvssScore: number | null;
  readonly cvssVector: string | null;
}

/**
 * Decides a finding's severity: Debian urgency when it is one of the four assessed levels; otherwise
 * (`not yet assigned`, `end-of-life`, absent) the highest CVSS v3 base score among the record's
 * vectors; otherwise `unknown`. A CVSS score of 0.0 maps to `negligible`.
 */
export function decideSeverity(urgency: string | null, cvssVectors: readonly string[]): SeverityDecision {
  let best: { score: number; vector: string } | null = null;
  for (const v of cvssVectors) {
    const parsed = parseCvssV3(v);
    if (parsed !== null && (best === null || parsed.baseScore > best.score)) {
      best = { score: parsed.baseScore, vector: v };
    }
  }
  const cvssScore = best?.score ?? null;
  const cvssVector = best?.vector ?? null;
  const fromUrgency = URGENCY[normalizeUrgency(urgency) ?? ''];
  if (fromUrgency !== undefined) return { severity: fromUrgency, source: 'debian-urgency', cvssScore, cvssVector };
  if (best !== null) {
    const rating = parseCvssV3(best.vector)?.rating ?? 'none';
    return { severity: rating === 'none' ? 'negligible' : rating, source: 'cvss', cvssScore, cvssVector };
  }
  return { severity: 'unknown', source: 'none', cvssScore, cvssVector };
}

/** Rank for sorting and thresholds: 0 = critical ... 5 = unknown. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Levels accepted by `--fail-on`. */
export type FailOn = 'critical' | 'high' | 'medium' | 'low';
export const FAIL_ON_LEVELS: readonly FailOn[] = ['critical', 'high', 'medium', 'low'];

/**
 * True when a finding of severity `s` is at or above `threshold`. `negligible` and `unknown` are
 * below every threshold: an unrated finding should not break a build by itself, but it is shown.
 */
export function atOrAbove(s: Severity, threshold: FailOn): boolean {
  return severityRank(s) <= severityRank(threshold);
}
