import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { loadDefinition, writeLockfile } from '../../src/definition/index.ts';
import { buildImages, planLock } from '../../src/image/index.ts';
import { LayoutStore } from '../../src/oci/index.ts';
import { createFixtureArchive, type FixtureArchive } from '../support/fixture-archive.ts';

// build --out of a two-platform definition tags each platform manifest TAG-ARCH (oci/platform-tags.ts, the function
// copy --all-platforms uses too), and umoci unpacks each of those tags.

const DEFINITION = `name: twoplat
description: Two platforms from arch-all packages of the fixture archive
distro: fixture
platforms: [linux/amd64, linux/arm64]
tags: ["1.0", "latest"]
packages: [fix-config]
`;

let archive: FixtureArchive;
let dir: string;

before(async () => {
  archive = await createFixtureArchive({
    suites: [
      {
        name: 'fixture',
        architectures: ['amd64', 'arm64'],
        packages: [
          {
            name: 'fix-config',
            version: '1.0',
            architecture: 'all',
            files: [{ path: '/etc/fix.conf', content: 'x=1\n' }],
          },
        ],
      },
    ],
  });
  dir = await mkdtemp(join(tmpdir(), 'ironclad-platform-tags-build-'));
});
after(async () => {
  await archive.close();
  await rm(dir, { recursive: true, force: true });
});

test('build --out tags each platform manifest TAG-ARCH for every tag, and umoci unpacks them', async () => {
  await mkdir(join(dir, 'def'));
  await writeFile(join(dir, 'def', 'image.yaml'), DEFINITION);
  const ctx = createContext({ home: join(dir, 'home') });
  const loaded = await loadDefinition(join(dir, 'def'));
  const { lock } = await planLock(loaded, { distroConfig: archive.distro }, ctx);
  await writeLockfile(loaded.dir, lock);
  const out = join(dir, 'out');
  const result = await buildImages(loaded, lock, { distroConfig: archive.distro, out, test: false }, ctx);
  const [amd64, arm64] = result.images[0]!.platforms;
  const tags = new Map((await (await LayoutStore.open(out)).listTags()).map((t) => [t.name, t.descriptor.digest]));
  assert.deepEqual([...tags.keys()].sort(), [
    '1.0',
    '1.0-amd64',
    '1.0-arm64',
    'latest',
    'latest-amd64',
    'latest-arm64',
  ]);
  assert.equal(tags.get('1.0-amd64'), amd64?.manifest.digest);
  assert.equal(tags.get('latest-arm64'), arm64?.manifest.digest);
  for (const tag of ['1.0-amd64', '1.0-arm64']) {
    const bundle = join(dir, `bundle-${tag}`);
    const rootless = process.getuid?.() === 0 ? [] : ['--rootless'];
    const r = spawnSync('umoci', ['unpack', ...rootless, '--image', `${out}:${tag}`, bundle], { encoding: 'utf8' });
    assert.equal(r.status, 0, `umoci unpack ${tag}: ${r.stderr}`);
    assert.equal(await readFile(join(bundle, 'rootfs/etc/fix.conf'), 'utf8'), 'x=1\n');
  }
});
