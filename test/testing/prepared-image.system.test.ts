import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { Home } from '../../src/core/index.ts';
import { hostPlatform, openImageSource, type ResolvedImage } from '../../src/oci/index.ts';
import { PreparedImage } from '../../src/testing/prepared-image.ts';
import { writeRunnableImage } from '../support/runnable-image.ts';

// Real runs in runc (needs root): containers of one prepared image share its unpacked root filesystem, each
// through a writable overlay that runc mounts inside the container, so nothing is mounted on the host.
let dir: string;
let image: ResolvedImage;
const host = hostPlatform();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prepared-image-test-'));
  await writeRunnableImage(join(dir, 'layout'), {
    binaries: ['/usr/bin/touch', '/usr/bin/rm', '/usr/bin/ls', '/usr/bin/sleep', '/usr/bin/true'],
    config: { User: '0:0' },
  });
  image = await openImageSource({ kind: 'oci-layout', dir: join(dir, 'layout') }, { home: new Home(dir) }).resolve(
    host,
  );
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ctx = () => createContext({ home: dir });
const run = (p: PreparedImage, argv: string[]) => p.run({ entrypoint: argv, timeoutMs: 20_000 }, ctx());

/** Mount points of this machine under `under` (the host's mount namespace, where a test process runs). */
async function mountsUnder(under: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(under));
}

test('each container starts from the pristine image: another one created, removed or wrote nothing it sees', async () => {
  const p = await PreparedImage.prepare(image, { host }, ctx());
  try {
    assert.equal((await run(p, ['/usr/bin/touch', '/marker'])).exitCode, 0);
    assert.equal((await run(p, ['/usr/bin/rm', '/usr/bin/true'])).exitCode, 0);
    const root = await run(p, ['/usr/bin/ls', '/']);
    assert.equal(root.exitCode, 0);
    assert.doesNotMatch(root.stdout, /marker/);
    assert.match((await run(p, ['/usr/bin/ls', '/usr/bin'])).stdout, /^true$/m);
    // The shared root filesystem is never written, nothing stays mounted and runc keeps no container.
    assert.equal(existsSync(join(p.rootfs, 'marker')), false);
    assert.equal(existsSync(join(p.rootfs, 'usr/bin/true')), true);
    assert.deepEqual(await mountsUnder(p.dir), []);
    assert.deepEqual(await readdir(join(p.dir, 'state')), []);
    assert.deepEqual(
      (await readdir(p.dir)).filter((e) => e.startsWith('c')),
      [],
      'each container bundle is removed',
    );
  } finally {
    await p.close();
  }
});

test('a background container that close() kills leaves no container, mount or bundle behind', async () => {
  const p = await PreparedImage.prepare(image, { host }, ctx());
  try {
    const c = await p.start({ entrypoint: ['/usr/bin/sleep', '60'], timeoutMs: 30_000 }, ctx());
    assert.ok(c.pid > 0);
    assert.ok(existsSync(join(p.dir, 'state')));
    await c.close();
    const outcome = await c.exited;
    assert.notEqual(outcome.exitCode, 0);
    assert.deepEqual(await mountsUnder(p.dir), []);
    assert.deepEqual(await readdir(join(p.dir, 'state')), []);
  } finally {
    await p.close();
  }
  assert.equal(existsSync(p.dir), false);
});
