import { CTRF_REPORT, SLSA_PROVENANCE_V1 } from './predicates/index.ts';

/*
 * What a predicate says about its subject, without what only says when or in which run it was made. A rebuild of
 * the same digest runs again, so its provenance has a new invocation id and finish time and its test report new
 * times and durations; the claims themselves (inputs, builder, results) are the same. Two statements equal after
 * this are the same evidence, and the one already signed stands for the other (signed-before.ts).
 */

type Json = Record<string, unknown>;

const isRecord = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A copy of `x` without `keys` when it is an object; anything else unchanged. */
function without(x: unknown, keys: readonly string[]): unknown {
  if (!isRecord(x)) return x;
  return Object.fromEntries(Object.entries(x).filter(([k]) => !keys.includes(k)));
}

/**
 * `predicate` without its run-specific fields: SLSA provenance v1's `runDetails.metadata` (invocationId,
 * startedOn, finishedOn); a CTRF report's `timestamp`, `results.summary` start, stop and duration, and each test's
 * start, stop and duration. Other predicate types are returned as they are. Pure; the input is not changed.
 */
export function runIndependent(predicateType: string, predicate: unknown): unknown {
  if (!isRecord(predicate)) return predicate;
  if (predicateType === SLSA_PROVENANCE_V1) {
    return { ...predicate, runDetails: without(predicate.runDetails, ['metadata']) };
  }
  if (predicateType === CTRF_REPORT) {
    const results = predicate.results;
    if (!isRecord(results)) return without(predicate, ['timestamp']);
    const tests = Array.isArray(results.tests)
      ? results.tests.map((t) => without(t, ['start', 'stop', 'duration']))
      : results.tests;
    const summary = without(results.summary, ['start', 'stop', 'duration']);
    return { ...(without(predicate, ['timestamp']) as Json), results: { ...results, summary, tests } };
  }
  return predicate;
}
