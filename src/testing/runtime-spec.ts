import { fail } from '../core/index.ts';
import type { ImageConfig, Platform } from '../oci/index.ts';
import type { ResolvedUser } from './image-user.ts';
import type { OverlayDirs } from './overlay.ts';
import { seccompProfile } from './seccomp.ts';

/** The PATH docker and containerd give a process whose image sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Docker's default capability set for root processes (moby `oci/caps/defaults.go`). Non-root processes get none:
 * a uid other than 0 loses its permitted set across exec anyway, and an empty bounding set makes sure a
 * setuid binary cannot win them back.
 */
const ROOT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
] as const;

/** The runtime-spec defaults `runc spec` writes: kernel interfaces a container has no business reading. */
const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** How to start the process; everything else about the container is fixed policy. */
export interface ProcessOverrides {
  /** Replaces the image's Cmd (docker: arguments after the image name). */
  readonly argv?: readonly string[];
  /** Replaces the image's Entrypoint; like `docker run --entrypoint`, it also drops the image's Cmd. */
  readonly entrypoint?: readonly string[];
  /** `K=V` entries added to, or replacing, the image's Env. */
  readonly env?: readonly string[];
  readonly workdir?: string;
}

/**
 * The process argv with docker semantics: Entrypoint + Cmd from the image config, `argv` replacing Cmd, and
 * an overridden entrypoint dropping the image's Cmd.
 * @throws IroncladError USAGE when the result is empty (nothing to run).
 */
export function processArgs(config: ImageConfig['config'], o: ProcessOverrides): string[] {
  const entrypoint = o.entrypoint ?? config?.Entrypoint ?? [];
  const cmd = o.argv ?? (o.entrypoint !== undefined ? [] : (config?.Cmd ?? []));
  const args = [...entrypoint, ...cmd];
  if (args.length === 0 || args[0] === '') {
    fail('USAGE', 'the image has no Entrypoint or Cmd and no command was given', {
      hint: 'pass a command after `--`, or --entrypoint',
    });
  }
  return args;
}

/** Image Env, then overrides (a later `K=` wins), PATH and HOME defaulted as docker does. */
export function processEnv(config: ImageConfig['config'], o: ProcessOverrides, home: string | undefined): string[] {
  const env = new Map<string, string>();
  for (const kv of [...(config?.Env ?? []), ...(o.env ?? [])]) {
    const eq = kv.indexOf('=');
    if (eq <= 0) fail('USAGE', `environment entry ${JSON.stringify(kv)} is not KEY=VALUE`);
    env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  if (!env.has('PATH')) env.set('PATH', DEFAULT_PATH);
  if (!env.has('HOME')) env.set('HOME', home ?? '/');
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** Resource limits of one container (cgroup), so a runaway test cannot take the machine down. */
export interface ContainerLimits {
  /** Most processes and threads at once (pids cgroup); a fork bomb stops here. */
  readonly pids: number;
  /** Most memory in bytes (memory cgroup); the kernel's OOM killer acts inside the container beyond it. */
  readonly memoryBytes: number;
}

/** Enough for a test suite or a service with worker threads; small enough that a runaway one is contained. */
export const DEFAULT_LIMITS: ContainerLimits = { pids: 512, memoryBytes: 2 * 1024 ** 3 };

export interface RuntimeSpecInput {
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly user: ResolvedUser;
  readonly hostname: string;
  /** Directory of the root filesystem, relative to the bundle (or absolute). */
  readonly rootfs: string;
  /**
   * Mount this overlay at `/` first (inside the container's mount namespace, so it ends with the container);
   * `rootfs` is then only the empty directory it covers.
   */
  readonly overlay?: OverlayDirs;
  /** The image's platform, for the seccomp filter's architectures. */
  readonly platform: Platform;
  readonly limits: ContainerLimits;
  /** Mount the root filesystem read-only, with a fresh tmpfs on /tmp and on each of `volumes`. */
  readonly readonlyRootfs: boolean;
  /** The image's declared volumes with the owner and mode of their directory, writable under a read-only root. */
  readonly volumes?: readonly VolumeDir[];
  /** Join this network namespace (`/proc/PID/ns/net` of a running container) instead of a new, empty one. */
  readonly networkNamespace?: string;
}

/** A declared volume directory: where, and the owner and permission bits its tmpfs gets. */
export interface VolumeDir {
  readonly path: string;
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

/**
 * An OCI runtime config.json (runtime-spec config.md, config-linux.md) for running one image process:
 * no terminal, no new privileges, private pid/ipc/uts/mount/cgroup namespaces and a new, empty network
 * namespace (so the container has only a loopback device and no network; or a given one, so a client container
 * reaches a server container over its loopback), the seccomp filter of seccomp.ts,
 * pids and memory limits, the minimal mounts every Linux program expects, capabilities as described at
 * ROOT_CAPABILITIES, and the default masked and read-only /proc paths. The root filesystem is a throw-away
 * copy, writable unless `readonlyRootfs` (then /tmp and the declared volumes are tmpfs). Pure.
 */
export function runtimeSpec(i: RuntimeSpecInput): object {
  const caps = i.user.uid === 0 ? [...ROOT_CAPABILITIES] : [];
  const tmp = {
    destination: '/tmp',
    type: 'tmpfs',
    source: 'tmpfs',
    options: ['nosuid', 'nodev', 'mode=1777', 'size=65536k'],
  };
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: i.user.uid, gid: i.user.gid, additionalGids: i.user.additionalGids },
      args: i.args,
      env: i.env,
      cwd: i.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: i.rootfs, readonly: i.readonlyRootfs },
    hostname: i.hostname,
    mounts: [
      ...(i.overlay === undefined ? [] : [overlayRoot(i.overlay)]),
      { destination: '/proc', type: 'proc', source: 'proc' },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
      },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
      },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      ...(i.readonlyRootfs ? [tmp, ...(i.volumes ?? []).map(volumeTmpfs)] : []),
    ],
    linux: {
      resources: {
        devices: [{ allow: false, access: 'rwm' }],
        pids: { limit: i.limits.pids },
        memory: { limit: i.limits.memoryBytes },
      },
      namespaces: [
        { type: 'pid' },
        i.networkNamespace === undefined ? { type: 'network' } : { type: 'network', path: i.networkNamespace },
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'mount' },
        { type: 'cgroup' },
      ],
      seccomp: seccompProfile(i.platform, caps),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}

/** The container's writable root: runc mounts it before every other mount, which then land on top of it. */
function overlayRoot(o: OverlayDirs): object {
  return {
    destination: '/',
    type: 'overlay',
    source: 'overlay',
    options: [`lowerdir=${o.lower}`, `upperdir=${o.upper}`, `workdir=${o.work}`],
  };
}

/** A fresh tmpfs over a declared volume, owned like the image's directory so its service can write there. */
function volumeTmpfs(v: VolumeDir): object {
  return {
    destination: v.path,
    type: 'tmpfs',
    source: 'tmpfs',
    options: [
      'nosuid',
      'nodev',
      `mode=${(v.mode & 0o7777).toString(8)}`,
      `uid=${v.uid}`,
      `gid=${v.gid}`,
      'size=65536k',
    ],
  };
}
