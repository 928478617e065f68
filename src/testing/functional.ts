import { isIroncladError, type StageContext } from '../core/index.ts';
import { BUILTIN_ACCOUNTS, type CommandTest, type DefinitionTest } from '../definition/index.ts';
import type { PreparedImage, RunResult } from './prepared-image.ts';
import { runServiceTest, type VariantImages } from './service-test.ts';
import type { FunctionalResult } from './types.ts';

/** Output kept per test for the report; enough to see what went wrong. */
export const MAX_TEST_OUTPUT = 64 * 1024;

/**
 * Runs a definition's `tests:` in order, each in its own container(s) of the image prepared (unpacked) once.
 * A command test's `run` is the full argv (the image entrypoint is not prepended, per the definition schema);
 * a service test starts the image's own entrypoint and probes it (service-test.ts).
 * @throws IroncladError RUNTIME_UNAVAILABLE when runc cannot run at all (missing, not root): that is a problem
 *   of this machine, not a failed test. Other errors of a run fail that test.
 */
export async function runFunctionalTests(
  image: PreparedImage,
  tests: readonly DefinitionTest[],
  variants: VariantImages,
  ctx: StageContext,
): Promise<FunctionalResult[]> {
  const out: FunctionalResult[] = [];
  for (const t of tests) {
    out.push(t.kind === 'service' ? await runServiceTest(image, t, variants, ctx) : await runCommand(image, t, ctx));
  }
  return out;
}

async function runCommand(image: PreparedImage, t: CommandTest, ctx: StageContext): Promise<FunctionalResult> {
  const start = ctx.now().getTime();
  let r: RunResult;
  try {
    r = await image.run(
      {
        entrypoint: t.run,
        argv: [],
        ...(t.user !== undefined && { user: userSpec(t.user) }),
        timeoutMs: t.timeout * 1000,
        maxCaptureBytes: MAX_TEST_OUTPUT,
      },
      ctx,
    );
  } catch (err) {
    if (!isIroncladError(err) || err.code === 'RUNTIME_UNAVAILABLE') throw err;
    return { name: t.name, status: 'failed', message: err.message, durationMs: ctx.now().getTime() - start };
  }
  const problem = judge(t, r);
  return {
    name: t.name,
    status: problem === undefined ? 'passed' : 'failed',
    message: problem ?? `exit code ${r.exitCode}`,
    durationMs: Math.max(0, ctx.now().getTime() - start),
    exitCode: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
  };
}

/** Built-in account names map to their fixed ids, so a test can say `user: nonroot` on any image. */
export function userSpec(user: string): string {
  const builtin = (BUILTIN_ACCOUNTS as Readonly<Record<string, { uid: number; gid: number }>>)[user];
  return builtin === undefined ? user : `${builtin.uid}:${builtin.gid}`;
}

/** What a command's result must show (a command test or an exec probe). */
export type OutputExpectations = Pick<CommandTest, 'exitCode' | 'stdout' | 'stdoutRegex' | 'stderr' | 'timeout'>;

/** The first expectation the run does not meet, as a message; undefined when all are met. */
export function judge(t: OutputExpectations, r: RunResult): string | undefined {
  if (r.timedOut) return `timed out after ${t.timeout} s`;
  if (r.exitCode !== t.exitCode) return `exit code ${r.exitCode}, expected ${t.exitCode}${tail(r.stderr)}`;
  if (t.stdout !== undefined && !r.stdout.includes(t.stdout)) {
    return `stdout does not contain ${JSON.stringify(t.stdout)}; got ${JSON.stringify(clip(r.stdout))}`;
  }
  if (t.stdoutRegex !== undefined && !new RegExp(t.stdoutRegex, 'm').test(r.stdout)) {
    return `stdout does not match /${t.stdoutRegex}/; got ${JSON.stringify(clip(r.stdout))}`;
  }
  if (t.stderr !== undefined && !r.stderr.includes(t.stderr)) {
    return `stderr does not contain ${JSON.stringify(t.stderr)}; got ${JSON.stringify(clip(r.stderr))}`;
  }
  return undefined;
}

export function clip(s: string, max = 200): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function tail(stderr: string): string {
  const last = stderr.trim().split('\n').at(-1);
  return last === undefined || last === '' ? '' : ` (stderr: ${clip(last)})`;
}
