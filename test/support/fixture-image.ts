import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext } from '../../src/core/context.ts';
import type { StageContext } from '../../src/core/index.ts';
import { type LoadedDefinition, type Lockfile, loadDefinition, writeLockfile } from '../../src/definition/index.ts';
import { planLock } from '../../src/image/index.ts';
import { createFixtureArchive, type FixtureArchive, type FixturePackage } from './fixture-archive.ts';

/**
 * A small image definition over a generated, signed fixture archive: what unit-level build, sbom, attest and
 * test tests start from. Packages: a libc-like library, a tool with a binary, docs, a setuid helper, and a
 * package the definition excludes.
 */
export const FIXTURE_PACKAGES: readonly FixturePackage[] = [
  {
    name: 'libfix1',
    version: '1.2-3',
    source: 'fixlib',
    multiArch: 'same',
    files: [
      { path: '/usr/lib/x86_64-linux-gnu/libfix.so.1', content: 'ELF-ish library bytes\n' },
      {
        path: '/usr/share/doc/libfix1/copyright',
        content:
          'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 2024 Fixture\nLicense: MIT\n',
      },
      { path: '/usr/share/doc/libfix1/changelog.Debian.gz', content: 'not really gzip' },
    ],
  },
  {
    name: 'fixtool',
    version: '2.0-1',
    depends: 'libfix1 (>= 1.2), fix-config | fix-config-alt, debconf',
    files: [
      { path: '/usr/bin/fixtool', content: '#!/nonexistent\necho fixtool\n', mode: 0o755 },
      { path: '/usr/bin/fixhelper', content: 'setuid helper\n', mode: 0o4755 },
      { path: '/usr/share/man/man1/fixtool.1.gz', content: 'manual' },
      { path: '/usr/share/locale/de/LC_MESSAGES/fixtool.mo', content: 'german' },
    ],
  },
  { name: 'fix-config', version: '1.0', architecture: 'all', files: [{ path: '/etc/fix.conf', content: 'x=1\n' }] },
  {
    name: 'debconf',
    version: '1.5.82',
    architecture: 'all',
    files: [{ path: '/usr/bin/debconf', content: 'perl', mode: 0o755 }],
  },
  { name: 'bash', version: '5.2-1', files: [{ path: '/bin/bash', content: 'shell', mode: 0o755 }] },
];

export interface FixtureImage {
  readonly archive: FixtureArchive;
  readonly dir: string;
  readonly home: string;
  readonly ctx: StageContext;
  readonly loaded: LoadedDefinition;
  readonly lock: Lockfile;
  close(): Promise<void>;
}

const DEFINITION = `name: fixture
description: Test image over the fixture archive
distro: fixture
platforms: [linux/amd64]
tags: ["1.0"]
packages: [fixtool]
exclude: [debconf]
environment: {FIX_MODE: test}
variants:
  dev: {packages: [bash], user: root, shell: true}
`;

/** Creates the archive, writes the definition, locks it, and returns everything a build needs. */
export async function createFixtureImage(definition = DEFINITION): Promise<FixtureImage> {
  const archive = await createFixtureArchive({ suites: [{ name: 'fixture', packages: FIXTURE_PACKAGES }] });
  const dir = await mkdtemp(join(tmpdir(), 'ironclad-image-'));
  const home = join(dir, 'home');
  await mkdir(join(dir, 'def'), { recursive: true });
  await writeFile(join(dir, 'def', 'image.yaml'), definition);
  const ctx = createContext({ home });
  const loaded = await loadDefinition(join(dir, 'def'));
  const plan = await planLock(loaded, { distroConfig: archive.distro }, ctx);
  await writeLockfile(loaded.dir, plan.lock);
  return {
    archive,
    dir,
    home,
    ctx,
    loaded,
    lock: plan.lock,
    async close() {
      await archive.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
