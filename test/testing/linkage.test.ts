import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext, Home } from '../../src/core/index.ts';
import { hostPlatform, openImageSource } from '../../src/oci/index.ts';
import { readElf } from '../../src/testing/elf.ts';
import { testImage } from '../../src/testing/index.ts';
import { mirrorHostPaths, withLibraries, writeRunnableImage } from '../support/runnable-image.ts';

const host = hostPlatform();
let dir: string;
let n = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'linkage-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function linkageOf(paths: string[]) {
  const tag = `l${n++}`;
  const layout = join(dir, 'layout');
  // Only `extra` matters: the default binaries layer is replaced by an empty list of binaries' libraries.
  await writeRunnableImage(layout, {
    tag,
    index: true,
    binaries: [],
    extra: mirrorHostPaths(paths),
    config: { User: '1:1' },
  });
  const source = openImageSource({ kind: 'oci-layout', dir: layout, tag }, { home: new Home(dir) });
  const r = await testImage(source, { host, functional: false }, createContext({ home: new Home(dir) }));
  return r.platforms[0]!.checks.find((c) => c.name === 'linkage')!;
}

test('readElf reads the interpreter, needed libraries and soname of real files', () => {
  const ls = readElf(readFileSync('/usr/bin/ls'))!;
  assert.equal(ls.class, 64);
  assert.match(ls.interpreter ?? '', /ld-linux/);
  assert.ok(ls.needed.includes('libc.so.6'));
  const libc = readElf(readFileSync(withLibraries(['/usr/bin/ls']).find((p) => p.endsWith('libc.so.6'))!))!;
  assert.equal(libc.soname, 'libc.so.6');
  assert.equal(readElf(Buffer.from('#!/bin/sh\n')), undefined);
  const truncated = readFileSync('/usr/bin/ls').subarray(0, 200);
  assert.equal(readElf(truncated), undefined, 'program headers outside the buffer');
});

test('an image with every library passes linkage; one without a library fails naming file and library', async () => {
  const all = withLibraries(['/usr/bin/id']);
  const ok = await linkageOf(all);
  assert.equal(ok.status, 'passed', ok.message);
  const missing =
    all.find((p) => /libselinux|libc\.so/.test(p) && !p.includes('libc.so.6')) ??
    all.find((p) => p.endsWith('libc.so.6'))!;
  const bad = await linkageOf(all.filter((p) => p !== missing));
  assert.equal(bad.status, 'failed');
  const lib = missing.slice(missing.lastIndexOf('/') + 1);
  assert.match(bad.message, new RegExp(`/usr/bin/id: ${lib.replaceAll('.', '\\.')} not found`));
});
