import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { Home, isIroncladError } from '../../src/core/index.ts';
import { hostPlatform, openImageSource, type ResolvedImage } from '../../src/oci/index.ts';
import { runImage } from '../../src/testing/index.ts';
import { writeRunnableImage } from '../support/runnable-image.ts';

// Real runs: images made of this machine's own binaries, executed by runc (needs root, as the CLI does).
let dir: string;
let image: ResolvedImage;
let rootImage: ResolvedImage;
const host = hostPlatform();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runc-test-'));
  await writeRunnableImage(join(dir, 'layout'), { tag: 'nonroot' });
  await writeRunnableImage(join(dir, 'layout'), {
    tag: 'root',
    config: { User: 'root', Cmd: ['/usr/bin/id', '-u'] },
    extra: [
      { type: 'dir', path: 'etc', mode: 0o755, uid: 0, gid: 0, mtime: 0 },
      {
        type: 'file',
        path: 'etc/passwd',
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: 0,
        data: new TextEncoder().encode('root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1234:4321::/home/app:/x\n'),
      },
    ],
  });
  const open = (tag: string) =>
    openImageSource({ kind: 'oci-layout', dir: join(dir, 'layout'), tag }, { home: new Home(dir) }).resolve(host);
  image = await open('nonroot');
  rootImage = await open('root');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ctx = () => createContext({ home: dir });
const base = () => ({ timeoutMs: 20_000, network: 'none' as const, host });

test('runs the image entrypoint and cmd, capturing stdout', async () => {
  const r = await runImage(image, base(), ctx());
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout, 'hello\n');
  assert.equal(r.timedOut, false);
});

test('argv replaces Cmd and keeps the entrypoint; streams to the sinks', async () => {
  const chunks: Uint8Array[] = [];
  const r = await runImage(image, { ...base(), argv: ['a', 'b'], stdout: (c) => chunks.push(c) }, ctx());
  assert.equal(r.stdout, 'a b\n');
  assert.equal(Buffer.concat(chunks).toString(), 'a b\n');
});

test('an entrypoint override drops Cmd; a relative argv[0] is found on PATH', async () => {
  const r = await runImage(image, { ...base(), entrypoint: ['id', '-u'] }, ctx());
  assert.equal(r.stdout.trim(), '65532');
});

test('runs as the numeric config user, with its group', async () => {
  const r = await runImage(image, { ...base(), entrypoint: ['/usr/bin/id'], argv: ['-g'] }, ctx());
  assert.equal(r.stdout.trim(), '65532');
});

test('resolves user names through the image /etc/passwd', async () => {
  assert.equal((await runImage(rootImage, base(), ctx())).stdout.trim(), '0');
  const app = await runImage(rootImage, { ...base(), user: 'app' }, ctx());
  assert.equal(app.stdout.trim(), '1234');
  const gid = await runImage(rootImage, { ...base(), user: 'app', argv: ['/usr/bin/id', '-g'] }, ctx());
  assert.equal(gid.stdout.trim(), '4321');
  await assert.rejects(runImage(rootImage, { ...base(), user: 'nobody-here' }, ctx()), (e) =>
    isIroncladError(e, 'INVALID_INPUT'),
  );
});

test('propagates the exit code and environment overrides', async () => {
  const r = await runImage(image, { ...base(), entrypoint: ['/usr/bin/cat'], argv: ['/nonexistent'] }, ctx());
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /nonexistent/);
  const env = await runImage(
    rootImage,
    { ...base(), entrypoint: ['/usr/bin/cat'], argv: ['/proc/self/environ'], env: ['FOO=bar'] },
    ctx(),
  );
  const vars = env.stdout.split('\0');
  assert.ok(vars.includes('FOO=bar'));
  assert.ok(vars.includes('HOME=/root'));
  assert.ok(vars.some((v) => v.startsWith('PATH=')));
});

test('a container has no network but loopback', async () => {
  const r = await runImage(image, { ...base(), entrypoint: ['/usr/bin/cat'], argv: ['/proc/net/dev'] }, ctx());
  const ifaces = r.stdout
    .split('\n')
    .slice(2)
    .map((l) => l.split(':')[0]?.trim())
    .filter((x) => x);
  assert.deepEqual(ifaces, ['lo']);
});

test('a non-root process has no capabilities; root gets the default set', async () => {
  const caps = async (img: ResolvedImage) => {
    const r = await runImage(img, { ...base(), entrypoint: ['/usr/bin/cat'], argv: ['/proc/self/status'] }, ctx());
    return /CapEff:\s*([0-9a-f]+)/.exec(r.stdout)?.[1];
  };
  assert.equal(await caps(image), '0000000000000000');
  assert.notEqual(await caps(rootImage), '0000000000000000');
});

test('a process over its timeout is killed and reported', async () => {
  const r = await runImage(image, { ...base(), timeoutMs: 500, entrypoint: ['/usr/bin/sleep'], argv: ['30'] }, ctx());
  assert.equal(r.timedOut, true);
  assert.notEqual(r.exitCode, 0);
  assert.deepEqual(await readdir(join(dir, 'tmp')), [], 'the bundle is removed');
});

test('a missing runc binary is RUNTIME_UNAVAILABLE; an empty command is USAGE', async () => {
  await assert.rejects(runImage(image, { ...base(), runc: '/nonexistent/runc' }, ctx()), (e) =>
    isIroncladError(e, 'RUNTIME_UNAVAILABLE'),
  );
  await assert.rejects(runImage(image, { ...base(), entrypoint: [] }, ctx()), (e) => isIroncladError(e, 'USAGE'));
});

test('a platform without an emulator is RUNTIME_UNAVAILABLE', async () => {
  await assert.rejects(runImage(image, { ...base(), host: { os: 'linux', architecture: 's390x' } }, ctx()), (e) =>
    isIroncladError(e, 'RUNTIME_UNAVAILABLE'),
  );
});
