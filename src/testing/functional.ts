import { isIroncladError, type StageContext } from '../core/index.ts';
import { BUILTIN_ACCOUNTS, type CommandTest, type DefinitionTest } from '../definition/index.ts';
import type { Platform, ResolvedImage } from '../oci/index.ts';
import { platformSupport } from './platform-support.ts';
import { type RunResult, runImage } from './runc.ts';
import type { FunctionalResult } from './types.ts';

export interface FunctionalOptions {
  /** The platform of `image`. */
  readonly platform: Platform;
  readonly host: Platform;
  readonly tmpDir: string;
}

/** Output kept per test for the report; enough to see what went wrong. */
const MAX_TEST_OUTPUT = 64 * 1024;

/**
 * Runs a definition's `tests:` in the image, one container each, in order. The test's `run` is the full argv
 * (the image entrypoint is not prepended, per the definition schema). On a platform this machine cannot run
 * (no native support, no binfmt_misc emulator) every test is skipped with the reason.
 * @throws IroncladError RUNTIME_UNAVAILABLE when runc cannot run at all (missing, not root): that is a problem
 *   of this machine, not a failed test. Other errors of a run fail that test.
 */
export async function runFunctionalTests(
  image: ResolvedImage,
  tests: readonly DefinitionTest[],
  opts: FunctionalOptions,
  ctx: StageContext,
): Promise<FunctionalResult[]> {
  if (tests.length === 0) return [];
  const support = await platformSupport(opts.platform, opts.host);
  if (support.kind === 'unsupported') {
    return tests.map((t) => ({ name: t.name, status: 'skipped', message: support.reason, durationMs: 0 }));
  }
  const out: FunctionalResult[] = [];
  for (const t of tests) {
    // Never passed silently: the runner for service tests lands separately (issue 13).
    if (t.kind === 'service')
      out.push({ name: t.name, status: 'failed', message: 'service tests are not run yet', durationMs: 0 });
    else out.push(await runOne(image, t, opts, ctx));
  }
  return out;
}

async function runOne(
  image: ResolvedImage,
  t: CommandTest,
  opts: FunctionalOptions,
  ctx: StageContext,
): Promise<FunctionalResult> {
  const start = ctx.now().getTime();
  let r: RunResult;
  try {
    r = await runImage(
      image,
      {
        entrypoint: t.run,
        argv: [],
        ...(t.user !== undefined && { user: userSpec(t.user) }),
        timeoutMs: t.timeout * 1000,
        maxCaptureBytes: MAX_TEST_OUTPUT,
        tmpDir: opts.tmpDir,
        network: 'none',
        host: opts.host,
      },
      ctx,
    );
  } catch (err) {
    if (!isIroncladError(err) || err.code === 'RUNTIME_UNAVAILABLE') throw err;
    return { name: t.name, status: 'failed', message: err.message, durationMs: ctx.now().getTime() - start };
  }
  const durationMs = Math.max(0, ctx.now().getTime() - start);
  const problem = judge(t, r);
  return {
    name: t.name,
    status: problem === undefined ? 'passed' : 'failed',
    message: problem ?? `exit code ${r.exitCode}`,
    durationMs,
    exitCode: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
  };
}

/** Built-in account names map to their fixed ids, so a test can say `user: nonroot` on any image. */
function userSpec(user: string): string {
  const builtin = (BUILTIN_ACCOUNTS as Readonly<Record<string, { uid: number; gid: number }>>)[user];
  return builtin === undefined ? user : `${builtin.uid}:${builtin.gid}`;
}

/** The first expectation the run does not meet, as a message; undefined when all are met. */
export function judge(t: Omit<CommandTest, 'kind' | 'name' | 'run'>, r: RunResult): string | undefined {
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

function clip(s: string, max = 200): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function tail(stderr: string): string {
  const last = stderr.trim().split('\n').at(-1);
  return last === undefined || last === '' ? '' : ` (stderr: ${clip(last)})`;
}
