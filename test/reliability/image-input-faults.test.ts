import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from '../support/cli-io.ts';
import { writeRunnableImage } from '../support/runnable-image.ts';
import { treeSnapshot } from '../support/tree-snapshot.ts';

/**
 * Hostile image input gets a clean exit 3 naming what is wrong, never "this is a bug": a layer with
 * `etc -> /tmp` and then `etc/file` in `run`, and a docker-archive whose layer is not a tar, which stores nothing.
 */

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ironclad-image-faults-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

const cli = async (...args: string[]) => {
  const io = captureIO(dir, { IRONCLAD_HOME: join(dir, 'home') });
  const status = await runCli(args, io);
  return { status, err: io.err.join('\n') };
};

test('run refuses a layer with etc -> /tmp and then etc/file (exit 3, naming the path)', async () => {
  const layout = join(dir, 'layout');
  const meta = { uid: 0, gid: 0, mtime: 0 };
  await writeRunnableImage(layout, {
    binaries: ['/usr/bin/true'],
    config: { User: '65532:65532', Entrypoint: ['/usr/bin/true'] },
    extra: [
      { type: 'symlink', path: 'etc', target: '/tmp', mode: 0o777, ...meta },
      { type: 'file', path: 'etc/file', mode: 0o644, data: new TextEncoder().encode('x'), ...meta },
    ],
  });
  const before = await treeSnapshot(layout);
  const r = await cli('run', `oci:${layout}:latest`);
  assert.equal(r.status, 3, r.err);
  assert.match(r.err, /"\/etc\/file" lies below "\/etc", which is a symlink to \/tmp/);
  assert.doesNotMatch(r.err, /this is a bug/);
  assert.deepEqual(await treeSnapshot(layout), before);
});

test('a docker-archive whose layer is not a tar is refused (exit 3) and nothing is stored', async () => {
  const src = join(dir, 'archive');
  await mkdir(src);
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
  await writeFile(join(src, 'config.json'), config);
  await writeFile(join(src, 'layer.tar'), Buffer.alloc(4096, 'not a tar archive '));
  await writeFile(
    join(src, 'manifest.json'),
    JSON.stringify([{ Config: 'config.json', RepoTags: ['bad:1'], Layers: ['layer.tar'] }]),
  );
  const file = join(dir, 'bad.tar');
  execFileSync('tar', ['-cf', file, '-C', src, 'manifest.json', 'config.json', 'layer.tar']);
  const r = await cli('copy', `docker-archive:${file}`, 'bad:1');
  assert.equal(r.status, 3, r.err);
  assert.match(r.err, /layer "layer.tar" is not a tar archive/);
  const blobs = [...(await treeSnapshot(join(dir, 'home', 'store'))).keys()].filter((p) => p.startsWith('blobs/'));
  assert.deepEqual(blobs, [], 'no blob was stored');
});
