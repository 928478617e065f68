/**
 * CVSS v3.0 / v3.1 base score from a vector string, per the FIRST specification
 * (https://www.first.org/cvss/v3.1/specification-document, section 7 "CVSS v3.1 Equations" and
 * Appendix A "Floating Point Rounding"; v3.0 differs only in its Roundup function).
 * Temporal and environmental metrics are accepted in the vector but do not change the base score.
 */

export interface CvssV3 {
  readonly version: '3.0' | '3.1';
  readonly vector: string;
  readonly baseScore: number;
  /** Qualitative rating from the spec's table 14. */
  readonly rating: 'none' | 'low' | 'medium' | 'high' | 'critical';
}

// Metric weights, specification section 7.4, table 16.
const AV = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 } as const;
const AC = { L: 0.77, H: 0.44 } as const;
const PR_UNCHANGED = { N: 0.85, L: 0.62, H: 0.27 } as const;
const PR_CHANGED = { N: 0.85, L: 0.68, H: 0.5 } as const;
const UI = { N: 0.85, R: 0.62 } as const;
const CIA = { H: 0.56, L: 0.22, N: 0 } as const;
const S = { U: 'U', C: 'C' } as const;

const BASE_METRICS = { AV, AC, PR: PR_UNCHANGED, UI, S, C: CIA, I: CIA, A: CIA } as const;
type BaseMetric = keyof typeof BASE_METRICS;
// Temporal (E, RL, RC) and environmental (CR..MA) metric names; accepted and ignored.
const OTHER_METRICS = new Set(['E', 'RL', 'RC', 'CR', 'IR', 'AR', 'MAV', 'MAC', 'MPR', 'MUI', 'MS', 'MC', 'MI', 'MA']);

/** v3.1 Roundup (Appendix A): avoids floating point artefacts such as 4.000000001 rounding up to 4.1. */
function roundUp31(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

/** v3.0 Roundup: the smallest number with one decimal place that is >= x. */
function roundUp30(x: number): number {
  return Math.ceil(x * 10) / 10;
}

/** Qualitative severity rating scale (specification section 5, table 14). */
export function cvssRating(score: number): CvssV3['rating'] {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/**
 * Parses a `CVSS:3.x/AV:../AC:../...` vector and computes its base score.
 * Returns null (never throws) for anything that is not a complete, well-formed v3 vector: a record
 * with a bad vector is still worth importing, it just gets no CVSS-derived severity.
 */
export function parseCvssV3(vector: string): CvssV3 | null {
  if (vector.length > 200) return null;
  const parts = vector.split('/');
  const head = parts.shift();
  const version = head === 'CVSS:3.1' ? '3.1' : head === 'CVSS:3.0' ? '3.0' : null;
  if (version === null) return null;
  const values = new Map<string, string>();
  for (const part of parts) {
    const [name, value, extra] = part.split(':');
    if (name === undefined || value === undefined || extra !== undefined || values.has(name)) return null;
    if (name in BASE_METRICS) {
      if (!(value in BASE_METRICS[name as BaseMetric])) return null;
    } else if (!OTHER_METRICS.has(name)) {
      return null;
    }
    values.set(name, value);
  }
  for (const name of Object.keys(BASE_METRICS)) if (!values.has(name)) return null;
  const get = <T extends Record<string, number | string>>(table: T, name: string) =>
    table[values.get(name) as keyof T] as T[keyof T];

  const changed = values.get('S') === 'C';
  const iss = 1 - (1 - get(CIA, 'C')) * (1 - get(CIA, 'I')) * (1 - get(CIA, 'A'));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  const exploitability =
    8.22 * get(AV, 'AV') * get(AC, 'AC') * get(changed ? PR_CHANGED : PR_UNCHANGED, 'PR') * get(UI, 'UI');
  const roundUp = version === '3.1' ? roundUp31 : roundUp30;
  let baseScore = 0;
  if (impact > 0) {
    baseScore = changed
      ? roundUp(Math.min(1.08 * (impact + exploitability), 10))
      : roundUp(Math.min(impact + exploitability, 10));
  }
  return { version, vector, baseScore, rating: cvssRating(baseScore) };
}
