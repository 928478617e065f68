import { formatPlatform } from '../oci/index.ts';
import type { CheckResult, FunctionalResult, TestReport, TestStatus } from './types.ts';

/**
 * Common Test Report Format (CTRF, ctrf.io; JSON schema `schema/ctrf.schema.json` of ctrf-io/ctrf). Only the
 * fields we fill are typed here; the document validates against the schema (tested with ajv).
 */
export const CTRF_SPEC_VERSION = '0.1.0';

export interface CtrfTest {
  readonly name: string;
  readonly status: TestStatus;
  /** Milliseconds (integer). */
  readonly duration: number;
  readonly message?: string;
  /** Suite hierarchy, top first: image reference, platform, `checks` or `tests`. */
  readonly suite: readonly string[];
  readonly type: 'check' | 'functional';
  readonly stdout?: readonly string[];
  readonly stderr?: readonly string[];
  readonly extra?: Readonly<Record<string, string | number>>;
}

export interface CtrfDocument {
  readonly reportFormat: 'CTRF';
  readonly specVersion: string;
  readonly timestamp: string;
  readonly generatedBy: string;
  readonly results: {
    readonly tool: { readonly name: 'ironclad'; readonly version: string };
    readonly summary: {
      readonly tests: number;
      readonly passed: number;
      readonly failed: number;
      readonly pending: number;
      readonly skipped: number;
      readonly other: number;
      readonly suites: number;
      readonly start: number;
      readonly stop: number;
      readonly duration: number;
    };
    readonly tests: readonly CtrfTest[];
  };
}

/** Lines kept of a failed test's output in the report. */
const MAX_OUTPUT_LINES = 50;

function checkTest(c: CheckResult, suite: readonly string[], digest?: string): CtrfTest {
  return {
    name: c.name,
    status: c.status,
    duration: 0,
    message: c.message,
    suite,
    type: 'check',
    ...(digest !== undefined && { extra: { digest } }),
  };
}

function lines(s: string | undefined): string[] | undefined {
  if (s === undefined || s === '') return undefined;
  return s.replace(/\n$/, '').split('\n').slice(-MAX_OUTPUT_LINES);
}

function functionalTest(t: FunctionalResult, suite: readonly string[], digest: string): CtrfTest {
  const failedRun = t.status === 'failed';
  const stdout = failedRun ? lines(t.stdout) : undefined;
  const stderr = failedRun ? lines(t.stderr) : undefined;
  return {
    name: t.name,
    status: t.status,
    duration: Math.max(0, Math.round(t.durationMs)),
    message: t.message,
    suite,
    type: 'functional',
    ...(stdout !== undefined && { stdout }),
    ...(stderr !== undefined && { stderr }),
    extra: { digest, ...(t.exitCode !== undefined && { exitCode: t.exitCode }) },
  };
}

/**
 * One CTRF document for the reports of one `ironclad test` run (several images when a definition has several
 * variants). Checks take no measurable time and report duration 0. Pure: times come from the reports.
 */
export function toCtrf(reports: readonly TestReport[], toolVersion: string): CtrfDocument {
  const tests: CtrfTest[] = [];
  for (const r of reports) {
    for (const c of r.imageChecks) tests.push(checkTest(c, [r.image, 'image']));
    for (const p of r.platforms) {
      const where = formatPlatform(p.platform);
      for (const c of p.checks) tests.push(checkTest(c, [r.image, where, 'checks'], p.digest));
      for (const t of p.tests) tests.push(functionalTest(t, [r.image, where, 'tests'], p.digest));
    }
  }
  const count = (s: TestStatus) => tests.filter((t) => t.status === s).length;
  const start = reports.length === 0 ? 0 : Math.min(...reports.map((r) => r.start));
  const stop = reports.length === 0 ? 0 : Math.max(...reports.map((r) => r.stop));
  return {
    reportFormat: 'CTRF',
    specVersion: CTRF_SPEC_VERSION,
    timestamp: new Date(stop).toISOString(),
    generatedBy: 'ironclad',
    results: {
      tool: { name: 'ironclad', version: toolVersion },
      summary: {
        tests: tests.length,
        passed: count('passed'),
        failed: count('failed'),
        pending: 0,
        skipped: count('skipped'),
        other: 0,
        suites: new Set(tests.map((t) => t.suite.join('\u0000'))).size,
        start,
        stop,
        duration: stop - start,
      },
      tests,
    },
  };
}
