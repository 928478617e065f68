import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { readTar, type TarEntry, tarBytes } from '../../src/oci/index.ts';
import { dir, file, symlink } from '../support/oci-image.ts';
import { scratchDir } from '../support/scratch-dir.ts';

const longName = `usr/share/${'deep/'.repeat(30)}file-with-a-long-name.txt`;
const entries: TarEntry[] = [
  file('usr/bin/hello', '#!/bin/sh\necho hi\n', 0o755),
  dir('usr'),
  dir('usr/bin'),
  symlink('bin', 'usr/bin'),
  file(longName, 'long'),
  file('etc/naïve', 'utf8 name'),
  { type: 'hardlink', path: 'usr/bin/hello2', mode: 0o755, uid: 0, gid: 0, mtime: 1700000000, target: 'usr/bin/hello' },
  { ...dir('home/nonroot', 0o700), uid: 65532, gid: 65532 },
];

test('same entries in any order give identical bytes', () => {
  const a = tarBytes(entries);
  const b = tarBytes([...entries].reverse());
  assert.deepEqual(Buffer.from(a), Buffer.from(b));
});

test('GNU tar reads our archive: names, long/UTF-8 paths, links, owners, mtimes', () => {
  const dirPath = scratchDir('tarw-');
  const path = join(dirPath, 'l.tar');
  writeFileSync(path, tarBytes(entries));
  const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', path], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', LC_ALL: 'C.UTF-8' },
  });
  const names = execFileSync('tar', ['-tf', path], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } })
    .trim()
    .split('\n');
  assert.deepEqual(names, [
    'bin',
    'etc/naïve',
    'home/nonroot/',
    'usr/',
    'usr/bin/',
    'usr/bin/hello',
    'usr/bin/hello2',
    longName,
  ]);
  assert.match(listing, /lrwxrwxrwx 0\/0 +0 2023-11-14 22:13:20 bin -> usr\/bin/);
  assert.match(listing, /drwx------ 65532\/65532 +0 2023-11-14 22:13:20 home\/nonroot\//);
  assert.match(listing, /hrwxr-xr-x 0\/0 +0 2023-11-14 22:13:20 usr\/bin\/hello2 link to usr\/bin\/hello/);
  const raw = Buffer.from(tarBytes(entries));
  assert.ok(!raw.includes('atime=') && !raw.includes('ctime='));
});

test('readTar reads back what we wrote', async () => {
  const seen: Record<string, string> = {};
  for await (const e of readTar(Readable.from([Buffer.from(tarBytes(entries))]))) {
    seen[e.header.path] = e.header.type === 'file' ? Buffer.from(await e.read(1024)).toString() : e.header.type;
  }
  assert.equal(seen[longName], 'long');
  assert.equal(seen['etc/naïve'], 'utf8 name');
  assert.equal(seen.bin, 'symlink');
  assert.equal(seen['usr/bin/hello2'], 'hardlink');
});

test('readTar enforces limits and rejects garbage', async () => {
  const over = async () => {
    for await (const _ of readTar(Readable.from([Buffer.from(tarBytes(entries))]), { limits: { maxEntries: 2 } })) {
      // drain
    }
  };
  await assert.rejects(over, (e: unknown) => isIroncladError(e, 'INVALID_INPUT'));
  const garbage = async () => {
    for await (const _ of readTar(Readable.from([Buffer.alloc(1024, 7)]))) {
      // drain
    }
  };
  await assert.rejects(garbage, (e: unknown) => isIroncladError(e, 'INVALID_INPUT'));
});

test('unclean or duplicate paths are refused', () => {
  for (const bad of [[file('../x', '')], [file('/abs', '')], [file('a//b', '')], [file('a', ''), file('a', '')]]) {
    assert.throws(
      () => tarBytes(bad),
      (e: unknown) => isIroncladError(e, 'INVALID_INPUT'),
    );
  }
});
