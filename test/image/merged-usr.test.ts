import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildImages } from '../../src/image/index.ts';
import { mergedUsrNodes } from '../../src/image/merged-usr.ts';
import { createFixtureImage } from '../support/fixture-image.ts';

test('mergedUsrNodes: bin, sbin and lib always; lib32/lib64/libx32 only when a package uses them; each with its directory', () => {
  const rows: [string[], string[]][] = [
    [[], ['bin', 'lib', 'sbin']],
    [['lib64/ld-linux-x86-64.so.2'], ['bin', 'lib', 'lib64', 'sbin']],
    [['usr/lib64/ld-linux-x86-64.so.2'], ['bin', 'lib', 'lib64', 'sbin']],
    [
      ['usr/lib32', 'usr/libx32/x'],
      ['bin', 'lib', 'lib32', 'libx32', 'sbin'],
    ],
    [
      ['usr/lib64x/x', 'lib640'],
      ['bin', 'lib', 'sbin'],
    ],
  ];
  for (const [paths, want] of rows) {
    const nodes = mergedUsrNodes(paths, 7);
    const links = nodes.filter((n) => n.type === 'symlink');
    assert.deepEqual(
      links.map((l) => l.path),
      want,
      paths.join(','),
    );
    for (const l of links) assert.ok(l.type === 'symlink' && l.target === `usr/${l.path}` && l.mtime === 7);
    // No link dangles, whatever the packages ship: each target is a directory of the image.
    const dirs = nodes.filter((n) => n.type === 'dir');
    assert.deepEqual(
      dirs.map((d) => d.path),
      ['usr', ...want.map((w) => `usr/${w}`)],
    );
    for (const d of dirs) assert.ok(d.mode === 0o755 && d.uid === 0 && d.gid === 0 && d.owners.length === 0);
  }
});

test('no top-level link of a built image dangles, as umoci unpacks it (the fixture ships nothing under usr/sbin)', async () => {
  const fx = await createFixtureImage();
  try {
    const out = join(fx.dir, 'oci');
    await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro, out, test: false }, fx.ctx);
    const rootfs = join(fx.dir, 'rootfs');
    execFileSync('umoci', ['raw', 'unpack', '--rootless', '--image', `${out}:1.0`, rootfs], { stdio: 'pipe' });
    const links: string[] = [];
    for (const name of await readdir(rootfs)) {
      if (!(await lstat(join(rootfs, name))).isSymbolicLink()) continue;
      links.push(`${name} -> ${await readlink(join(rootfs, name))}`);
      assert.ok((await stat(join(rootfs, name))).isDirectory(), `/${name} resolves to a directory`);
    }
    const merged = ['bin -> usr/bin', 'lib -> usr/lib', 'lib64 -> usr/lib64', 'sbin -> usr/sbin'];
    assert.ok(
      links.every((l) => merged.includes(l)),
      links.join(', '),
    );
    assert.ok(links.includes('sbin -> usr/sbin'));
  } finally {
    await fx.close();
  }
});
