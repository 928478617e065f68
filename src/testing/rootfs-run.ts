import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, type StageContext } from '../core/index.ts';
import type { Platform } from '../oci/index.ts';
import { assertRunnable, type RunResult } from './prepared-image.ts';
import { checkTimeout, deleteContainer, runcQuiet, runcRun } from './runc-process.ts';
import { DEFAULT_LIMITS, runtimeSpec } from './runtime-spec.ts';

/** How a process runs in a root filesystem prepared by the caller (always as root, no network). */
export interface RootfsRunOptions {
  readonly args: readonly string[];
  readonly env: readonly string[];
  /** The rootfs' platform and the machine's: a foreign one needs a binfmt_misc emulator. */
  readonly platform: Platform;
  readonly host: Platform;
  readonly timeoutMs: number;
  readonly stderr?: (chunk: Uint8Array) => void;
  /** The runc binary; default `runc` from PATH. */
  readonly runc?: string;
}

const CAPTURE_BYTES = 1024 * 1024;

/**
 * Runs one process as root in `bundle/rootfs`, a directory the caller prepared and owns (it is changed in place
 * and not removed), under the same container policy as every image run (runtime-spec.ts: a new, empty network
 * namespace, seccomp, no new privileges, Docker's root capabilities, pids and memory limits). The build uses it
 * to configure dev images' packages. The container is always deleted.
 * @throws IroncladError RUNTIME_UNAVAILABLE when not root, runc is missing or the platform cannot run here.
 */
export async function runInRootfs(bundle: string, opts: RootfsRunOptions, ctx: StageContext): Promise<RunResult> {
  const timeoutMs = checkTimeout(opts.timeoutMs);
  await assertRunnable(opts.platform, opts.host);
  const id = `ironclad-${randomBytes(8).toString('hex')}`;
  const spec = runtimeSpec({
    args: opts.args,
    env: opts.env,
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    hostname: id.slice(0, 21),
    rootfs: 'rootfs',
    platform: opts.platform,
    limits: DEFAULT_LIMITS,
    readonlyRootfs: false,
  });
  const runc = opts.runc ?? 'runc';
  const state = join(bundle, 'state');
  const rootArgs = ['--root', state];
  try {
    await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
    const outcome = await runcRun(
      runc,
      [...rootArgs, 'run', '--bundle', bundle, id],
      { ...(opts.stderr !== undefined && { stderr: opts.stderr }), maxCaptureBytes: CAPTURE_BYTES },
      {
        timeoutMs,
        signal: ctx.signal,
        kill: async () => void (await runcQuiet(runc, [...rootArgs, 'kill', id, 'KILL'])),
      },
    );
    if (outcome.aborted) fail('RUNTIME_UNAVAILABLE', `running ${opts.args.join(' ')} was cancelled`);
    return { exitCode: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr, timedOut: outcome.timedOut };
  } finally {
    await deleteContainer(runc, state, id);
    await rm(state, { recursive: true, force: true });
    await rm(join(bundle, 'config.json'), { force: true });
  }
}
