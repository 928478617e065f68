import { formatPlatform } from '../oci/index.ts';
import type { CheckResult, FunctionalResult, TestReport } from './types.ts';

/**
 * Bytes of each output stream shown for a failed test. The run keeps up to 64 KiB per stream; a person reading
 * a terminal needs the whole of a usual failure (a stack trace, a config error) but not megabytes of a loop.
 */
export const SHOWN_OUTPUT_BYTES = 16 * 1024;

/**
 * The captured stdout and stderr of a failed test, each under a `--- stdout` / `--- stderr` heading and indented
 * by `indent`; the start of a longer stream is cut (the end is where a failure is explained), and says so.
 * Nothing for a test that passed or printed nothing.
 */
export function failureOutput(t: FunctionalResult, indent: string, maxBytes = SHOWN_OUTPUT_BYTES): string[] {
  if (t.status !== 'failed') return [];
  const out: string[] = [];
  for (const [name, text] of [
    ['stdout', t.stdout],
    ['stderr', t.stderr],
  ] as const) {
    if (text === undefined || text.trim() === '') continue;
    const bytes = Buffer.from(text, 'utf8');
    const cut = bytes.length > maxBytes;
    const shown = cut ? bytes.subarray(bytes.length - maxBytes).toString('utf8') : text;
    out.push(`${indent}--- ${name}${cut ? ` (last ${maxBytes} of ${bytes.length} bytes)` : ''}`);
    for (const line of shown.replace(/\n$/, '').split('\n')) out.push(`${indent}${line}`);
  }
  return out;
}

/**
 * Every failed check and test of a report, one line each (`platform name: message`), each failed test followed
 * by its output: what a failed build prints so nobody has to re-run the test to see why.
 */
export function describeFailures(report: TestReport): string {
  const out: string[] = [];
  const line = (where: string, c: CheckResult | FunctionalResult, prefix = '') =>
    out.push(`  ${where}${prefix}${c.name}: ${c.message}`);
  for (const c of report.imageChecks) if (c.status === 'failed') line('', c);
  for (const p of report.platforms) {
    const where = `${formatPlatform(p.platform)} `;
    for (const c of p.checks) if (c.status === 'failed') line(where, c);
    for (const t of p.tests) {
      if (t.status !== 'failed') continue;
      line(where, t, 'test ');
      out.push(...failureOutput(t, '    '));
    }
  }
  return out.join('\n');
}
