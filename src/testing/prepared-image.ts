import { randomBytes } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, type StageContext } from '../core/index.ts';
import { READ_ONLY_ROOT_LABEL } from '../definition/index.ts';
import {
  formatPlatform,
  type ImageConfig,
  type ImageFilesystem,
  type Platform,
  type ResolvedImage,
  unpackImage,
} from '../oci/index.ts';
import { type AccountFiles, MAX_ACCOUNT_FILE_BYTES, resolveImageUser } from './image-user.ts';
import { type OverlayDirs, overlayDirs, overlaySupported } from './overlay.ts';
import { platformSupport } from './platform-support.ts';
import { readRootfsFile } from './rootfs-read.ts';
import { checkTimeout, deleteContainer, type ProcessOutcome, RUNC_HINT, runcQuiet, runcRun } from './runc-process.ts';
import {
  type ContainerLimits,
  DEFAULT_LIMITS,
  type ProcessOverrides,
  processArgs,
  processEnv,
  runtimeSpec,
  type VolumeDir,
} from './runtime-spec.ts';

/** How to run one container of a prepared image. */
export interface ContainerOptions extends ProcessOverrides {
  /** Run as this user (`uid[:gid]`, `name[:group]`) instead of the image config's User. */
  readonly user?: string;
  /** The container is killed after this many milliseconds (`timedOut` is then set). */
  readonly timeoutMs: number;
  readonly stdout?: (chunk: Uint8Array) => void;
  readonly stderr?: (chunk: Uint8Array) => void;
  /** Bytes of each stream kept in the result; default 1 MiB. */
  readonly maxCaptureBytes?: number;
  /** Join this network namespace (a running container's `netns`) instead of a new, empty one. */
  readonly networkNamespace?: string;
  /** pids and memory limits; DEFAULT_LIMITS for what is not given. */
  readonly limits?: Partial<ContainerLimits>;
  /** Mount the image read-only (with a tmpfs on /tmp). Default false: each container has its own writable layer. */
  readonly readonlyRootfs?: boolean;
}

export interface RunResult {
  readonly exitCode: number;
  /** Captured output, at most `maxCaptureBytes` of each stream, decoded as UTF-8. */
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** A container started in the background (a service under test). */
export interface RunningContainer {
  /** Host pid of the container's first process; 0 when it exited before it could be seen (see `exited`). */
  readonly pid: number;
  /** Its network namespace, for a second container or a probe to join (meaningless when pid is 0). */
  readonly netns: string;
  /** Settles when the container's process has exited (or was killed at its timeout). */
  readonly exited: Promise<ProcessOutcome>;
  /** Sends a signal (`SIGTERM`, ...) to the container's first process. */
  signal(sig: string): Promise<void>;
  /** Kills what is left and removes the container and its writable layer; safe to call twice. */
  close(): Promise<void>;
}

export interface PrepareOptions {
  /** This machine's platform: other platforms need a binfmt_misc emulator. */
  readonly host: Platform;
  /** The runc binary; default `runc` from PATH. */
  readonly runc?: string;
  /** The image's filesystem, flattened already (see UnpackOptions.flattened). */
  readonly flattened?: ImageFilesystem;
}

const DEFAULT_CAPTURE = 1024 * 1024;
/** How long `runc run` may take to create a container before it is given up. */
const START_TIMEOUT_MS = 30_000;

/** The platform an image config declares (config.md: architecture, os, variant). */
export function configPlatform(config: ImageConfig): Platform {
  return {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant !== undefined && { variant: config.variant }),
  };
}

/**
 * An image unpacked once (whiteouts applied, owners kept) for any number of runc containers. Each container gets
 * its own overlayfs writable layer over the shared root filesystem (mounted by runc inside the container, see
 * overlay.ts), so none sees another's writes and the image is not extracted again per container; where overlayfs cannot be mounted, a container gets a private unpack.
 * `close()` removes everything; containers still running are killed first.
 */
export class PreparedImage {
  readonly #containers = new Set<() => Promise<void>>();
  #n = 0;

  private constructor(
    readonly image: ResolvedImage,
    readonly config: ImageConfig,
    readonly dir: string,
    readonly accounts: AccountFiles,
    readonly runc: string,
  ) {}

  /** The unpacked root filesystem every container starts from; never written by a container. */
  get rootfs(): string {
    return join(this.dir, 'rootfs');
  }

  /**
   * Unpacks `image` into a scratch directory of the home (`ctx.home.scratchDir`), removed by close().
   * @throws IroncladError RUNTIME_UNAVAILABLE when not root or the platform cannot run here; the errors of unpacking.
   */
  static async prepare(image: ResolvedImage, opts: PrepareOptions, ctx: StageContext): Promise<PreparedImage> {
    const config = await image.config();
    await assertRunnable(configPlatform(config), opts.host);
    const dir = await ctx.home.scratchDir('run');
    try {
      ctx.log.debug(`unpacking ${image.digest} into ${dir}`);
      await unpackImage(image, join(dir, 'rootfs'), {
        chown: true,
        ...(opts.flattened !== undefined && { flattened: opts.flattened }),
      });
      const rootfs = join(dir, 'rootfs');
      const passwd = await readRootfsFile(rootfs, 'etc/passwd', MAX_ACCOUNT_FILE_BYTES);
      const group = await readRootfsFile(rootfs, 'etc/group', MAX_ACCOUNT_FILE_BYTES);
      const accounts: AccountFiles = {
        ...(passwd !== undefined && { passwd: Buffer.from(passwd).toString('utf8') }),
        ...(group !== undefined && { group: Buffer.from(group).toString('utf8') }),
      };
      return new PreparedImage(image, config, dir, accounts, opts.runc ?? 'runc');
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Runs one container to completion; it is always deleted and its writable layer removed. */
  async run(o: ContainerOptions, ctx: StageContext): Promise<RunResult> {
    const timeoutMs = checkTimeout(o.timeoutMs);
    const c = await this.#container(o);
    try {
      const outcome = await runcRun(this.runc, c.runArgs, sinks(o), {
        timeoutMs,
        signal: ctx.signal,
        kill: c.kill,
      });
      if (outcome.aborted) fail('RUNTIME_UNAVAILABLE', `running ${this.image.digest} was cancelled`);
      return { exitCode: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr, timedOut: outcome.timedOut };
    } finally {
      await c.remove();
    }
  }

  /**
   * Starts a container in the background and resolves once its process exists (so its network namespace can be
   * joined), or once it has already exited (pid 0). It is killed at `timeoutMs` at the latest.
   * @throws IroncladError RUNTIME_UNAVAILABLE when runc cannot start it (its stderr is in the message).
   */
  async start(o: ContainerOptions, ctx: StageContext): Promise<RunningContainer> {
    const timeoutMs = checkTimeout(o.timeoutMs);
    const c = await this.#container(o);
    const exited = runcRun(this.runc, c.runArgs, sinks(o), { timeoutMs, signal: ctx.signal, kill: c.kill });
    let done = false;
    const settled = exited.then(
      (r) => {
        done = true;
        return r;
      },
      (err: unknown) => {
        done = true;
        throw err;
      },
    );
    const deadline = ctx.now().getTime() + START_TIMEOUT_MS;
    let pid = 0;
    while (pid === 0 && !done && ctx.now().getTime() < deadline) {
      pid = await c.pid();
      if (pid === 0) await new Promise((r) => setTimeout(r, 50));
    }
    if (pid === 0 && !done) {
      const outcome = await Promise.race([settled, c.kill().then(() => settled)]).catch(() => undefined);
      await c.remove();
      fail('RUNTIME_UNAVAILABLE', `the container of ${this.image.digest} did not start`, {
        hint: outcome?.stderr.trim().split('\n').at(-1) ?? RUNC_HINT,
      });
    }
    return {
      pid,
      netns: `/proc/${pid}/ns/net`,
      exited: settled,
      signal: (sig) => runcQuiet(this.runc, [...c.rootArgs, 'kill', c.id, sig]).then(() => undefined),
      close: async () => {
        await c.kill();
        await settled.catch(() => undefined);
        await c.remove();
      },
    };
  }

  /** Kills and removes every container still present, then the unpacked image. */
  async close(): Promise<void> {
    for (const remove of [...this.#containers]) await remove();
    await rm(this.dir, { recursive: true, force: true });
  }

  /**
   * A fresh bundle: its own root (an overlay that runc mounts, else a private unpack), config.json and runc
   * state directory.
   */
  async #container(o: ContainerOptions) {
    const id = `ironclad-${randomBytes(8).toString('hex')}`;
    this.#spec(o, 'rootfs', id); // bad input (user, command, workdir) fails before anything is written
    const bundle = join(this.dir, `c${this.#n++}`);
    await mkdir(bundle, { mode: 0o700 });
    const root = join(bundle, 'rootfs');
    const overlay: OverlayDirs | undefined = (await overlaySupported(this.dir))
      ? await overlayDirs(this.rootfs, bundle)
      : undefined;
    // Under an overlay the root directory is only the mount point runc covers.
    if (overlay === undefined) await unpackImage(this.image, root, { chown: true });
    else await mkdir(root, { mode: 0o700 });
    await writeFile(join(bundle, 'config.json'), JSON.stringify(this.#spec(o, root, id, overlay)));
    const state = join(this.dir, 'state');
    const rootArgs = ['--root', state];
    const kill = async () => void (await runcQuiet(this.runc, [...rootArgs, 'kill', id, 'KILL']));
    let removed = false;
    const remove = async () => {
      if (removed) return;
      removed = true;
      this.#containers.delete(remove);
      await deleteContainer(this.runc, state, id);
      await rm(bundle, { recursive: true, force: true });
    };
    this.#containers.add(remove);
    return {
      id,
      rootArgs,
      runArgs: [...rootArgs, 'run', '--bundle', bundle, id],
      kill,
      remove,
      pid: () => containerPid(rootArgs, id),
    };
  }

  #spec(o: ContainerOptions, root: string, id: string, overlay?: OverlayDirs): object {
    const user = resolveImageUser(o.user ?? this.config.config?.User ?? '', this.accounts);
    const cwd = o.workdir ?? (this.config.config?.WorkingDir || '/');
    if (!cwd.startsWith('/')) fail('USAGE', `working directory ${JSON.stringify(cwd)} is not absolute`);
    // The definition's read-only-root, recorded as a label, holds for every container of the image.
    const readOnly = o.readonlyRootfs === true || this.config.config?.Labels?.[READ_ONLY_ROOT_LABEL] === 'true';
    return runtimeSpec({
      args: processArgs(this.config.config, o),
      env: processEnv(this.config.config, o, user.home),
      cwd,
      user,
      hostname: id.slice(0, 21),
      rootfs: root,
      platform: configPlatform(this.config),
      limits: { ...DEFAULT_LIMITS, ...o.limits },
      readonlyRootfs: readOnly,
      // Owners and modes come from the image as unpacked: the overlay's lower directory, or the private copy.
      volumes: readOnly ? volumeDirs(this.config.config?.Volumes, overlay?.lower ?? root) : [],
      ...(overlay !== undefined && { overlay }),
      ...(o.networkNamespace !== undefined && { networkNamespace: o.networkNamespace }),
    });
  }
}

/**
 * The image's declared volumes with their directories' owner and mode (`root` is the container's root directory;
 * the placeholder root of an early spec check has none, so defaults apply there).
 */
function volumeDirs(volumes: Readonly<Record<string, unknown>> | undefined, root: string): VolumeDir[] {
  return Object.keys(volumes ?? {}).map((path) => {
    // lstat and no "..": the image's own directory, never what a symlink or a climb points at on the host.
    try {
      const st = path.split('/').includes('..') ? undefined : lstatSync(join(root, path));
      if (st?.isDirectory() === true) return { path, uid: st.uid, gid: st.gid, mode: st.mode };
    } catch {}
    return { path, uid: 0, gid: 0, mode: 0o755 };
  });
}

function sinks(o: ContainerOptions) {
  return {
    ...(o.stdout !== undefined && { stdout: o.stdout }),
    ...(o.stderr !== undefined && { stderr: o.stderr }),
    maxCaptureBytes: o.maxCaptureBytes ?? DEFAULT_CAPTURE,
  };
}

/** The pid runc reports for a running container (`runc state`), or 0 while it is not running yet. */
async function containerPid(rootArgs: readonly string[], id: string): Promise<number> {
  const stateFile = join(rootArgs[1] ?? '', id, 'state.json');
  // runc writes state.json atomically once the container exists; reading it avoids a process per poll.
  const text = await readFile(stateFile, 'utf8').catch(() => undefined);
  if (text === undefined) return 0;
  try {
    const pid = (JSON.parse(text) as { init_process_pid?: unknown }).init_process_pid;
    return typeof pid === 'number' && pid > 0 ? pid : 0;
  } catch {
    return 0;
  }
}

/**
 * Refuses early what cannot work: not root (runc needs it for namespaces and the unpacked owners), or a
 * platform with neither native support nor a binfmt_misc emulator.
 */
export async function assertRunnable(platform: Platform, host: Platform): Promise<void> {
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
