import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { REF_NAME_ANNOTATION } from '../../src/oci/index.ts';
import type { Descriptor, Platform } from '../../src/oci/types.ts';
import { captureIO } from '../support/cli-io.ts';
import { writeMultiPlatformTestImage } from '../support/oci-image.ts';

// copy --all-platforms into an oci: layout tags each platform manifest TAG-ARCH, as build --out does, so that umoci
// (which takes one manifest per tag and cannot choose a platform out of an index) can unpack every platform.

const PLATFORMS: Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
];

let work: string;
let manifests: Descriptor[];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'ironclad-platform-tags-'));
  ({ manifests } = await writeMultiPlatformTestImage(join(work, 'src'), PLATFORMS, '1.0'));
});
after(() => rm(work, { recursive: true, force: true }));

async function tagsOf(layout: string): Promise<Map<string, string>> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  return new Map(
    index.manifests
      .filter((m) => m.annotations?.[REF_NAME_ANNOTATION] !== undefined)
      .map((m) => [m.annotations?.[REF_NAME_ANNOTATION] as string, m.digest]),
  );
}

test('copy --all-platforms into oci: writes TAG-ARCH for each platform, and umoci unpacks every one', async () => {
  const dst = join(work, 'dst');
  const io = captureIO(work);
  assert.equal(
    await runCli(['copy', `oci:${join(work, 'src')}:1.0`, `oci:${join(work, 'dst')}:1.0`, '--all-platforms'], io),
    0,
    io.err.join('\n'),
  );
  assert.match(io.out.join('\n'), /platform tags: 1\.0-amd64, 1\.0-arm64, 1\.0-armv7/);
  const tags = await tagsOf(dst);
  assert.deepEqual([...tags.keys()].sort(), ['1.0', '1.0-amd64', '1.0-arm64', '1.0-armv7']);
  assert.equal(tags.get('1.0-amd64'), manifests[0]?.digest);
  assert.equal(tags.get('1.0-arm64'), manifests[1]?.digest);
  assert.equal(tags.get('1.0-armv7'), manifests[2]?.digest);

  const listed = execFileSync('umoci', ['ls', '--layout', dst], { encoding: 'utf8' }).split('\n').filter(Boolean);
  assert.deepEqual(listed.sort(), ['1.0', '1.0-amd64', '1.0-arm64', '1.0-armv7']);
  for (const [i, suffix] of ['amd64', 'arm64', 'armv7'].entries()) {
    const bundle = join(work, `bundle-${suffix}`);
    const args = ['unpack', ...(process.getuid?.() === 0 ? [] : ['--rootless']), '--image', `${dst}:1.0-${suffix}`];
    const r = spawnSync('umoci', [...args, bundle], { encoding: 'utf8' });
    assert.equal(r.status, 0, `umoci unpack 1.0-${suffix}: ${r.stderr}`);
    const p = PLATFORMS[i]!;
    const name = [p.os, p.architecture, p.variant].filter((x) => x !== undefined).join('/');
    assert.equal(await readFile(join(bundle, 'rootfs/etc/platform'), 'utf8'), `${name}\n`);
  }
});

test('a second copy into the same layout keeps the tags (the index is already there)', async () => {
  const io = captureIO(work);
  const argv = [
    'copy',
    `oci:${join(work, 'src')}:1.0`,
    `oci:${join(work, 'again')}:2.0`,
    '--all-platforms',
    '--format',
    'json',
  ];
  assert.equal(await runCli(argv, io), 0);
  assert.equal(await runCli(argv, captureIO(work)), 0);
  assert.deepEqual(JSON.parse(io.out.join('')).platformTags, ['2.0-amd64', '2.0-arm64', '2.0-armv7']);
  assert.deepEqual([...(await tagsOf(join(work, 'again'))).keys()].sort(), [
    '2.0',
    '2.0-amd64',
    '2.0-arm64',
    '2.0-armv7',
  ]);
});

test('a single-platform copy and a copy into the store add no per-platform tag', async () => {
  const io = captureIO(work, { IRONCLAD_HOME: join(work, 'home') });
  assert.equal(
    await runCli(
      ['copy', `oci:${join(work, 'src')}:1.0`, `oci:${join(work, 'one')}:1.0`, '--platform', 'linux/arm64'],
      io,
    ),
    0,
  );
  assert.deepEqual([...(await tagsOf(join(work, 'one'))).keys()], ['1.0']);
  assert.equal(
    await runCli(['copy', `oci:${join(work, 'src')}:1.0`, 'app:1.0', '--all-platforms'], io),
    0,
    io.err.join('\n'),
  );
  assert.deepEqual([...(await tagsOf(join(work, 'home', 'store'))).keys()], ['app:1.0']);
});
