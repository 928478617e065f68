import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { DEFAULT_LIMITS, DEFAULT_PATH, processArgs, processEnv, runtimeSpec } from '../../src/testing/runtime-spec.ts';

const config = { Entrypoint: ['/usr/bin/python3'], Cmd: ['-V'], Env: ['PATH=/usr/bin', 'LANG=C.UTF-8'] };

test('argv follows docker: Cmd replaced by argv, entrypoint override drops Cmd', () => {
  const cases: [object, string[]][] = [
    [{}, ['/usr/bin/python3', '-V']],
    [{ argv: ['-c', 'pass'] }, ['/usr/bin/python3', '-c', 'pass']],
    [{ entrypoint: ['/bin/true'] }, ['/bin/true']],
    [{ entrypoint: ['/bin/echo'], argv: ['x'] }, ['/bin/echo', 'x']],
  ];
  for (const [o, want] of cases) assert.deepEqual(processArgs(config, o), want, JSON.stringify(o));
  assert.throws(
    () => processArgs({}, {}),
    (e) => isIroncladError(e, 'USAGE'),
  );
});

test('env: image values, overrides winning, PATH and HOME defaulted', () => {
  assert.deepEqual(processEnv(config, { env: ['LANG=C', 'X=1=2'] }, '/home/app'), [
    'PATH=/usr/bin',
    'LANG=C',
    'X=1=2',
    'HOME=/home/app',
  ]);
  assert.deepEqual(processEnv({}, {}, undefined), [`PATH=${DEFAULT_PATH}`, 'HOME=/']);
  assert.throws(
    () => processEnv({}, { env: ['=x'] }, undefined),
    (e) => isIroncladError(e, 'USAGE'),
  );
});

const isolation = {
  platform: { os: 'linux', architecture: 'amd64' },
  limits: DEFAULT_LIMITS,
  readonlyRootfs: false,
};

/** A non-root process, the fields every spec needs besides `isolation`. */
const input = {
  args: ['/x'],
  env: [],
  cwd: '/',
  user: { uid: 65532, gid: 65532, additionalGids: [] },
  hostname: 'h',
  rootfs: 'rootfs',
};

test('the runtime config isolates the network and drops capabilities for non-root', () => {
  const spec = runtimeSpec({ ...input, ...isolation }) as {
    process: { capabilities: { bounding: string[] }; noNewPrivileges: boolean; terminal: boolean };
    linux: { namespaces: { type: string; path?: string }[] };
  };
  assert.deepEqual(spec.process.capabilities.bounding, []);
  assert.equal(spec.process.noNewPrivileges, true);
  assert.equal(spec.process.terminal, false);
  const net = spec.linux.namespaces.find((n) => n.type === 'network');
  assert.ok(net !== undefined && net.path === undefined, 'a new, empty network namespace');
  const root = runtimeSpec({ ...input, ...isolation, user: { uid: 0, gid: 0, additionalGids: [] } }) as {
    process: { capabilities: { bounding: string[] } };
  };
  assert.ok(root.process.capabilities.bounding.includes('CAP_CHOWN'));
  assert.ok(!root.process.capabilities.bounding.includes('CAP_SYS_ADMIN'));
});

test('the runtime config filters syscalls, limits pids and memory, and can mount the root read-only', () => {
  type Spec = {
    root: { readonly: boolean };
    mounts: { destination: string; type: string }[];
    linux: {
      namespaces: { type: string }[];
      resources: { pids: { limit: number }; memory: { limit: number } };
      seccomp: { defaultAction: string; architectures: string[]; syscalls: { names: string[]; action: string }[] };
    };
  };
  const spec = runtimeSpec({ ...input, ...isolation, limits: { pids: 64, memoryBytes: 1 << 28 } }) as Spec;
  assert.ok(spec.linux.namespaces.some((n) => n.type === 'cgroup'));
  assert.equal(spec.linux.resources.pids.limit, 64);
  assert.equal(spec.linux.resources.memory.limit, 1 << 28);
  assert.equal(spec.linux.seccomp.defaultAction, 'SCMP_ACT_ERRNO');
  assert.deepEqual(spec.linux.seccomp.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  const allowed = spec.linux.seccomp.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names);
  for (const blocked of ['unshare', 'setns', 'mount', 'umount2', 'keyctl', 'add_key', 'bpf', 'chroot', 'ptrace']) {
    assert.ok(!allowed.includes(blocked), blocked);
  }
  for (const used of ['read', 'execve', 'futex', 'clone', 'socket', 'epoll_wait'])
    assert.ok(allowed.includes(used), used);
  assert.equal(spec.root.readonly, false);
  assert.ok(!spec.mounts.some((m) => m.destination === '/tmp'));
  const ro = runtimeSpec({ ...input, ...isolation, readonlyRootfs: true }) as Spec;
  assert.equal(ro.root.readonly, true);
  assert.ok(ro.mounts.some((m) => m.destination === '/tmp' && m.type === 'tmpfs'));
  const root = runtimeSpec({ ...input, ...isolation, user: { uid: 0, gid: 0, additionalGids: [] } }) as Spec;
  assert.ok(root.linux.seccomp.syscalls.some((r) => r.action === 'SCMP_ACT_ALLOW' && r.names.includes('chroot')));
});

test('an overlay root is the first mount, at /, so the other mounts land on top of it', () => {
  const overlay = { lower: '/s/rootfs', upper: '/s/c0/upper', work: '/s/c0/work' };
  type Spec = { mounts: { destination: string; type: string; source: string; options?: string[] }[] };
  const spec = runtimeSpec({ ...input, ...isolation, rootfs: '/s/c0/rootfs', overlay }) as Spec;
  assert.deepEqual(spec.mounts[0], {
    destination: '/',
    type: 'overlay',
    source: 'overlay',
    options: ['lowerdir=/s/rootfs', 'upperdir=/s/c0/upper', 'workdir=/s/c0/work'],
  });
  assert.equal(spec.mounts.filter((m) => m.type === 'overlay').length, 1);
  assert.ok(!(runtimeSpec({ ...input, ...isolation }) as Spec).mounts.some((m) => m.type === 'overlay'));
});
