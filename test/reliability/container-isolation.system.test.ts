import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { READ_ONLY_ROOT_LABEL } from '../../src/definition/index.ts';
import { captureIO } from '../support/cli-io.ts';
import { writeRunnableImage } from '../support/runnable-image.ts';
import { treeSnapshot } from '../support/tree-snapshot.ts';

/**
 * What `run` (and `test`, which starts containers the same way) isolates, checked in real runc containers of
 * an image made of this machine's unshare, mount and sh: no new user or mount namespace, no mount, a fork bomb
 * stopped by the pids limit, a read-only root on request. Needs root and runc, as `run` does.
 */

let dir: string;
let layout: string;
// runc gives the /tmp tmpfs the mode of the image's /tmp, as images have it: 1777.
const dirs = [
  { path: 'tmp', mode: 0o1777 },
  { path: 'mnt', mode: 0o755 },
  { path: 'etc', mode: 0o755 },
].map((d) => ({ type: 'dir' as const, ...d, uid: 0, gid: 0, mtime: 0 }));

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ironclad-isolation-'));
  layout = join(dir, 'layout');
  await writeRunnableImage(layout, {
    binaries: ['/usr/bin/unshare', '/usr/bin/mount', '/usr/bin/sh', '/usr/bin/sleep', '/usr/bin/cat', '/usr/bin/true'],
    extra: dirs,
    config: { User: '65532:65532', Entrypoint: ['/usr/bin/sh', '-c'] },
  });
});
after(async () => rm(dir, { recursive: true, force: true }));

async function run(script: string, ...flags: string[]) {
  const io = captureIO(dir, { IRONCLAD_HOME: join(dir, 'home') });
  const before = await treeSnapshot(layout);
  const status = await runCli(['run', `oci:${layout}:latest`, '--timeout', '60', ...flags, '--', script], io);
  assert.deepEqual(await treeSnapshot(layout), before, 'the image is unchanged');
  return { status, out: io.out.join(''), err: io.err.join('') };
}

test('the seccomp filter is on, in filter mode', async () => {
  const r = await run('cat /proc/self/status');
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /Seccomp:\s+2/);
  assert.match(r.out, /NoNewPrivs:\s+1/);
  assert.match(r.out, /CapEff:\s+0000000000000000/);
});

test('unshare -Urm (a new user and mount namespace) fails with EPERM, for non-root and root', async () => {
  for (const user of ['65532:65532', '0:0']) {
    const r = await run('unshare -Urm true', '--user', user);
    assert.notEqual(r.status, 0, user);
    assert.match(r.err, /unshare failed: Operation not permitted/, user);
    const u = await run('unshare -U true', '--user', user);
    assert.match(u.err, /Operation not permitted/, `${user}: even a user namespace alone`);
  }
});

test('mount fails, even for root in the container', async () => {
  const r = await run('mount -t tmpfs none /mnt', '--user', '0:0');
  assert.notEqual(r.status, 0);
  assert.match(r.err, /permission denied|Operation not permitted/i);
});

test('a fork bomb stops at the pids limit', async () => {
  const r = await run(
    'n=0; while [ $n -lt 200 ]; do sleep 30 & n=$((n+1)); done; echo all started',
    '--pids-limit',
    '16',
  );
  assert.notEqual(r.status, 0);
  assert.doesNotMatch(r.out, /all started/);
  assert.match(r.err, /fork/i);
});

test('--read-only mounts the image read-only with a writable /tmp', async () => {
  const ro = await run('echo x > /etc/x', '--read-only');
  assert.notEqual(ro.status, 0);
  assert.match(ro.err, /Read-only file system/);
  const tmp = await run('echo x > /tmp/x && cat /tmp/x', '--read-only');
  assert.equal(tmp.status, 0, tmp.err);
  assert.equal(tmp.out.trim(), 'x');
});

test('an image labelled read-only-root runs read-only without the flag; /tmp and its volumes stay writable', async () => {
  const labelled = join(dir, 'labelled');
  await writeRunnableImage(labelled, {
    binaries: ['/usr/bin/sh', '/usr/bin/cat'],
    extra: [...dirs, { type: 'dir', path: 'data', mode: 0o700, uid: 65532, gid: 65532, mtime: 0 }],
    config: {
      User: '65532:65532',
      Entrypoint: ['/usr/bin/sh', '-c'],
      Labels: { [READ_ONLY_ROOT_LABEL]: 'true' },
      Volumes: { '/data': {} },
    },
  });
  const runIn = async (image: string, script: string) => {
    const io = captureIO(dir, { IRONCLAD_HOME: join(dir, 'home') });
    const status = await runCli(['run', `oci:${image}:latest`, '--timeout', '60', '--user', '0:0', '--', script], io);
    return { status, out: io.out.join(''), err: io.err.join('') };
  };
  const root = await runIn(labelled, 'echo x > /x');
  assert.notEqual(root.status, 0, 'even root cannot write to /');
  assert.match(root.err, /Read-only file system/);
  const etc = await runIn(labelled, 'echo x > /etc/x');
  assert.match(etc.err, /Read-only file system/);
  const tmp = await runIn(labelled, 'echo t > /tmp/x && cat /tmp/x');
  assert.equal(tmp.status, 0, tmp.err);
  assert.equal(tmp.out.trim(), 't');
  const io = captureIO(dir, { IRONCLAD_HOME: join(dir, 'home') });
  const volume = await runCli(
    ['run', `oci:${labelled}:latest`, '--timeout', '60', '--', 'echo v > /data/x && cat /data/x'],
    io,
  );
  assert.equal(volume, 0, `the image user writes its volume: ${io.err.join('')}`);
  assert.equal(io.out.join('').trim(), 'v');
  // Without the label, as before: the root is writable (a throw-away copy).
  const plain = await runIn(layout, 'echo x > /x && cat /x');
  assert.equal(plain.status, 0, plain.err);
});

test('limits are checked: nonsense is a usage error', async () => {
  assert.equal((await run('true', '--pids-limit', '0')).status, 2);
  assert.equal((await run('true', '--memory', 'lots')).status, 2);
});
