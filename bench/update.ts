/**
 * Update benchmark on the real Debian archive:  node --import tsx bench/update.ts [IMAGE...]
 * (default: every image of images/, runtime variant, linux/amd64).
 * - Full build: every image from its lock into a fresh layout, .debs cached (downloaded before timing), no
 *   compressed-layer cache; once without tests and once with them (runc).
 * - Update: one package that (nearly) every image ships swapped for another version the archive has, in every lock
 *   (libc6 where it can be, as a glibc security update does; its .deb downloaded before timing, as the others
 *   are), then every image rebuilt from its new lock into the
 *   same store, as `ironclad update` rebuilds it (layers of unchanged package groups come from the layer cache);
 *   again without and with tests. Printed against the full build (target: update <= 25% of a full build).
 * Timings are wall clock on this machine, in one run; nothing here is a test.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createContext } from '../src/core/context.ts';
import { buildUniverse, fetchDebs, loadDistro, openArchive, type PackageFileRef } from '../src/debian/index.ts';
import { type LoadedDefinition, type Lockfile, loadDefinition } from '../src/definition/index.ts';
import { buildImages, planLock } from '../src/image/index.ts';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '..');
const PLATFORM = 'linux/amd64';
const PREFERRED = ['libc6', 'tzdata', 'libgcc-s1'];

interface Image {
  readonly loaded: LoadedDefinition;
  readonly lock: Lockfile;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const names = process.argv.slice(2);
const wanted =
  names.length > 0 ? names : ['base', 'cc', 'nginx', 'node', 'postgres', 'python', 'python-3.13', 'redis', 'static'];
const work = await mkdtemp(join(tmpdir(), 'bench-update-'));
try {
  const ctx = createContext({ home: join(work, 'home') });
  const images: Image[] = [];
  for (const name of wanted) {
    await cp(join(REPO, 'images', name), join(work, 'images', name), { recursive: true });
    const loaded = await loadDefinition(join(work, 'images', name));
    const { lock } = await planLock(loaded, { platforms: [PLATFORM], variant: 'runtime' }, ctx);
    images.push({ loaded, lock });
  }
  const buildAll = async (locks: readonly Lockfile[], out: string, test: boolean, home = ctx) => {
    for (const [i, image] of images.entries()) {
      await buildImages(image.loaded, locks[i]!, { platforms: [PLATFORM], test, out: join(work, out) }, home);
    }
  };
  const locks = images.map((i) => i.lock);
  // Downloads every .deb once (the .deb cache is warm for everything measured).
  await buildAll(locks, 'warmup', false);
  // A full build compresses everything: a home sharing only the downloaded .debs and the parsed-.deb cache.
  const fullHome = async (n: string) => {
    const home = join(work, `full-${n}`);
    await cp(join(work, 'home', 'cache', 'sha256'), join(home, 'cache', 'sha256'), { recursive: true });
    return createContext({ home });
  };
  const fullNoTests = await timed(async () => buildAll(locks, 'full-a', false, await fullHome('a')));
  const fullTests = await timed(async () => buildAll(locks, 'full-b', true, await fullHome('b')));

  const { patched, what, refs } = await swapOnePackage(images, ctx);
  // The swapped versions' .debs are downloaded before timing, as every other .deb is: the update is timed from a
  // warm .deb cache like the full build (reading them is part of what is timed).
  await fetchDebs(refs, ctx);
  // Each update runs where the previous images were built (a hard-linked copy of the warm-up home and layout, so
  // both start from the same state): unchanged groups are cached layers, as for `ironclad update`.
  await run('cp', ['-al', join(work, 'home'), join(work, 'home2')]);
  await run('cp', ['-al', join(work, 'warmup'), join(work, 'warmup2')]);
  const updateNoTests = await timed(() => buildAll(patched, 'warmup', false));
  const home2 = createContext({ home: join(work, 'home2') });
  const updateTests = await timed(() => buildAll(patched, 'warmup2', true, home2));

  const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;
  console.log(`images: ${wanted.join(', ')} (runtime, ${PLATFORM})`);
  console.log(`update: ${what.join('; ')}`);
  console.log(`full build, tests excluded:   ${fullNoTests.toFixed(0)} ms`);
  console.log(
    `update,     tests excluded:   ${updateNoTests.toFixed(0)} ms = ${pct(updateNoTests, fullNoTests)} of a full build (target <= 25%)`,
  );
  console.log(`full build, tests included:   ${fullTests.toFixed(0)} ms`);
  console.log(
    `update,     tests included:   ${updateTests.toFixed(0)} ms = ${pct(updateTests, fullTests)} of a full build (target <= 25%)`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}

/** Every lock with one package swapped for another version of the same source the archive has (libc6 first). */
async function swapOnePackage(images: readonly Image[], ctx: ReturnType<typeof createContext>) {
  const archive = await openArchive(await loadDistro('debian-12'), ctx, { architecture: 'amd64' });
  const universe = buildUniverse(archive.packages, {
    architecture: 'amd64',
    suites: archive.suites.map((s) => s.suite),
  });
  const what: string[] = [];
  const refs: PackageFileRef[] = [];
  const patched = images.map(({ loaded, lock }) => {
    const locked = lock.variants.runtime!.platforms[PLATFORM]!;
    const order = [...locked.packages].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
    for (const p of order) {
      const other = universe.packages.get(p.name)?.find((e) => e.version !== p.version && e.source === p.source);
      if (other === undefined) continue;
      what.push(`${loaded.definition.name}: ${p.name} ${p.version} → ${other.version}`);
      const baseUrl = locked.suites.find((s) => s.suite === other.suite)?.baseUrl;
      if (baseUrl !== undefined) refs.push({ ...other, name: p.name, architecture: p.architecture, baseUrl });
      const packages = locked.packages.map((x) =>
        x.name === p.name
          ? {
              ...x,
              version: other.version,
              sourceVersion: other.sourceVersion,
              suite: other.suite,
              filename: other.filename,
              size: other.size,
              sha256: other.sha256,
            }
          : x,
      );
      return {
        ...lock,
        variants: { ...lock.variants, runtime: { platforms: { [PLATFORM]: { ...locked, packages } } } },
      };
    }
    what.push(`${loaded.definition.name}: no package with a second version (rebuilt unchanged)`);
    return lock;
  });
  return { patched, what, refs };
}

function rank(name: string): number {
  const i = PREFERRED.indexOf(name);
  return i === -1 ? PREFERRED.length : i;
}
