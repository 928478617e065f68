import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, type StageContext } from '../core/index.ts';
import { formatPlatform, type ImageConfig, type Platform, type ResolvedImage, unpackImage } from '../oci/index.ts';
import { type AccountFiles, MAX_ACCOUNT_FILE_BYTES, resolveImageUser } from './image-user.ts';
import { platformSupport } from './platform-support.ts';
import { readRootfsFile } from './rootfs-read.ts';
import { checkTimeout, RUNC_HINT, runcQuiet, runcRun } from './runc-process.ts';
import {
  type ContainerLimits,
  DEFAULT_LIMITS,
  type ProcessOverrides,
  processArgs,
  processEnv,
  runtimeSpec,
} from './runtime-spec.ts';

export interface RunOptions extends ProcessOverrides {
  /** Run as this user (`uid[:gid]`, `name[:group]`) instead of the image config's User. */
  readonly user?: string;
  /** The container is killed after this many milliseconds (`timedOut` is then set). */
  readonly timeoutMs: number;
  /** Receive the container's output as it arrives (e.g. the CLI streaming it). */
  readonly stdout?: (chunk: Uint8Array) => void;
  readonly stderr?: (chunk: Uint8Array) => void;
  /** Bytes of each stream kept in the result; default 1 MiB. */
  readonly maxCaptureBytes?: number;
  /** Directory for the bundle (a fresh subdirectory is made and always removed). Needs room for the image. */
  readonly tmpDir: string;
  /** The only network mode: a new, empty network namespace. Stated so callers know what they get. */
  readonly network: 'none';
  /** The machine's platform (the CLI computes it once): other platforms need a binfmt_misc emulator. */
  readonly host: Platform;
  /** The runc binary; default `runc` from PATH. */
  readonly runc?: string;
  /** pids and memory limits; DEFAULT_LIMITS for what is not given. */
  readonly limits?: Partial<ContainerLimits>;
  /** Mount the image read-only (with a tmpfs on /tmp). Default false: the bundle is a throw-away copy. */
  readonly readonlyRootfs?: boolean;
}

export interface RunResult {
  readonly exitCode: number;
  /** Captured output, at most `maxCaptureBytes` of each stream, decoded as UTF-8. */
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

const DEFAULT_CAPTURE = 1024 * 1024;

/** The platform an image config declares (config.md: architecture, os, variant). */
export function configPlatform(config: ImageConfig): Platform {
  return {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant !== undefined && { variant: config.variant }),
  };
}

/**
 * Runs one process of `image` in a throw-away runc container and waits for it: the image's final filesystem
 * (whiteouts applied) is unpacked into a fresh bundle under `opts.tmpDir`, a config.json is generated
 * (runtime-spec.ts: docker argv/env semantics, user resolved through the image's own /etc/passwd, no network,
 * no new privileges), and `runc run` is started with stdio piped. On timeout or abort the container is killed;
 * the container is always deleted and the bundle removed, whatever happens.
 * @throws IroncladError RUNTIME_UNAVAILABLE when runc is missing, we are not root, or the image's platform
 *   cannot run here; USAGE when there is nothing to run; INVALID_INPUT for an unknown user; the errors of
 *   unpacking the image.
 */
export async function runImage(image: ResolvedImage, opts: RunOptions, ctx: StageContext): Promise<RunResult> {
  const timeoutMs = checkTimeout(opts.timeoutMs);
  const config = await image.config();
  await assertRunnable(configPlatform(config), opts.host);
  await mkdir(opts.tmpDir, { recursive: true });
  const bundle = await mkdtemp(join(opts.tmpDir, 'ironclad-run-'));
  const runc = opts.runc ?? 'runc';
  const state = join(bundle, 'state');
  const id = `ironclad-${randomBytes(8).toString('hex')}`;
  try {
    ctx.log.debug(`unpacking ${image.digest} into ${bundle}`);
    await unpackImage(image, join(bundle, 'rootfs'), { chown: true });
    const spec = await bundleSpec(config, opts, join(bundle, 'rootfs'), id);
    await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
    const outcome = await runcRun(
      runc,
      ['--root', state, 'run', '--bundle', bundle, id],
      {
        ...(opts.stdout !== undefined && { stdout: opts.stdout }),
        ...(opts.stderr !== undefined && { stderr: opts.stderr }),
        maxCaptureBytes: opts.maxCaptureBytes ?? DEFAULT_CAPTURE,
      },
      {
        timeoutMs,
        signal: ctx.signal,
        kill: async () => void (await runcQuiet(runc, ['--root', state, 'kill', id, 'KILL'])),
      },
    );
    if (outcome.aborted) fail('RUNTIME_UNAVAILABLE', `running ${image.digest} was cancelled`);
    return { exitCode: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr, timedOut: outcome.timedOut };
  } finally {
    await runcQuiet(runc, ['--root', state, 'delete', '--force', id]);
    await rm(bundle, { recursive: true, force: true });
  }
}

/**
 * Refuses early what cannot work: not root (runc needs it for namespaces and the unpacked owners), or a
 * platform with neither native support nor a binfmt_misc emulator.
 */
async function assertRunnable(platform: Platform, host: Platform): Promise<void> {
  if (process.getuid?.() !== 0) {
    fail('RUNTIME_UNAVAILABLE', 'running images needs root (runc without a user namespace)', { hint: RUNC_HINT });
  }
  const support = await platformSupport(platform, host);
  if (support.kind === 'unsupported') {
    fail('RUNTIME_UNAVAILABLE', `cannot run ${formatPlatform(platform)} images here: ${support.reason}`, {
      hint: 'install qemu-user-static (binfmt_misc handlers) or run on a machine of that architecture',
    });
  }
}

/** The config.json for this run, reading the image's account files from the unpacked rootfs. */
async function bundleSpec(config: ImageConfig, opts: RunOptions, rootfs: string, id: string): Promise<object> {
  const passwd = await readRootfsFile(rootfs, 'etc/passwd', MAX_ACCOUNT_FILE_BYTES);
  const group = await readRootfsFile(rootfs, 'etc/group', MAX_ACCOUNT_FILE_BYTES);
  const accounts: AccountFiles = {
    ...(passwd !== undefined && { passwd: Buffer.from(passwd).toString('utf8') }),
    ...(group !== undefined && { group: Buffer.from(group).toString('utf8') }),
  };
  const user = resolveImageUser(opts.user ?? config.config?.User ?? '', accounts);
  const cwd = opts.workdir ?? (config.config?.WorkingDir || '/');
  if (!cwd.startsWith('/')) fail('USAGE', `working directory ${JSON.stringify(cwd)} is not absolute`);
  return runtimeSpec({
    args: processArgs(config.config, opts),
    env: processEnv(config.config, opts, user.home),
    cwd,
    user,
    hostname: id.slice(0, 21),
    rootfs: 'rootfs',
    platform: configPlatform(config),
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    readonlyRootfs: opts.readonlyRootfs === true,
  });
}
