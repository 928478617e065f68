import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { DEFAULT_PATH, processArgs, processEnv, runtimeSpec } from '../../src/testing/index.ts';

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

test('the runtime config isolates the network and drops capabilities for non-root', () => {
  const spec = runtimeSpec({
    args: ['/x'],
    env: [],
    cwd: '/',
    user: { uid: 65532, gid: 65532, additionalGids: [] },
    hostname: 'h',
    rootfs: 'rootfs',
  }) as {
    process: { capabilities: { bounding: string[] }; noNewPrivileges: boolean; terminal: boolean };
    linux: { namespaces: { type: string; path?: string }[] };
  };
  assert.deepEqual(spec.process.capabilities.bounding, []);
  assert.equal(spec.process.noNewPrivileges, true);
  assert.equal(spec.process.terminal, false);
  const net = spec.linux.namespaces.find((n) => n.type === 'network');
  assert.ok(net !== undefined && net.path === undefined, 'a new, empty network namespace');
  const root = runtimeSpec({
    args: ['/x'],
    env: [],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    hostname: 'h',
    rootfs: 'rootfs',
  }) as { process: { capabilities: { bounding: string[] } } };
  assert.ok(root.process.capabilities.bounding.includes('CAP_CHOWN'));
  assert.ok(!root.process.capabilities.bounding.includes('CAP_SYS_ADMIN'));
});
