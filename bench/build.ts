/**
 * Build benchmark on the real Debian archive:  node --import tsx bench/build.ts
 * - Ironclad: warm-cache full build of the python runtime (linux/amd64), layers compressed, into a fresh layout;
 *   once with gzip (the default) and once with zstd (`--compression zstd`).
 * - Reference, same run: `mmdebstrap --variant=extract` of the same package set with everything warm (the same
 *   .debs pre-seeded, this machine's apt lists, no index update), which only unpacks into a directory.
 * - Patch rebuild: one package swapped for another version (as a security update does, its .deb downloaded
 *   beforehand like the others), rebuilt into the same layout; once for each of three packages, each printed with
 *   how many layers changed, and the median against the full build.
 * - Beside wall time, the CPU time of Ironclad's builds (process.cpuUsage: every thread of this process, the
 *   compression pool included), which a busy machine disturbs far less; the patch rebuild's share is printed in both.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createContext } from '../src/core/context.ts';
import { Home } from '../src/core/index.ts';
import { cachePath, fetchDebs, type PackageFileRef } from '../src/debian/index.ts';
import { type Lockfile, loadDefinition, writeLockfile } from '../src/definition/index.ts';
import { type BuildCompression, buildImages, planLock } from '../src/image/index.ts';
import type { PatchLocksRequest } from './patch-locks.ts';

interface PatchLock {
  readonly lock: Lockfile;
  readonly what: string;
  readonly ref: PackageFileRef;
}

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '..');
const PLATFORM = 'linux/amd64';
const RUNS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function timed(fn: () => Promise<unknown>): Promise<number> {
  return (await timedWithCpu(fn)).ms;
}
/** Wall time and CPU time (user + system, all threads of this process) of `fn`, in ms. */
async function timedWithCpu(fn: () => Promise<unknown>): Promise<{ ms: number; cpuMs: number }> {
  const t = performance.now();
  const cpu = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 };
}

const work = await mkdtemp(join(tmpdir(), 'bench-build-'));
try {
  await mkdir(join(work, 'def'));
  await copyFile(join(REPO, 'images/python/image.yaml'), join(work, 'def/image.yaml'));
  const ctx = createContext({ home: join(work, 'home') });
  const loaded = await loadDefinition(join(work, 'def'));
  const { lock } = await planLock(loaded, { platforms: [PLATFORM], variant: 'runtime' }, ctx);
  await writeLockfile(loaded.dir, lock);
  // Tests (runc) are not part of what is measured here.
  const opts = (out: string, compression: BuildCompression = 'gzip') => ({
    platforms: [PLATFORM],
    out: join(work, out),
    test: false,
    compression,
  });
  await buildImages(loaded, lock, opts('warmup'), ctx); // fills the .deb cache

  // Each full build goes into a fresh layout, so every layer is compressed (nothing is found in the store).
  const fullOf = async (compression: BuildCompression) => {
    const times: { ms: number; cpuMs: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      times.push(await timedWithCpu(() => buildImages(loaded, lock, opts(`${compression}${i}`, compression), ctx)));
    }
    return { ms: median(times.map((t) => t.ms)), cpuMs: median(times.map((t) => t.cpuMs)) };
  };
  const full = await fullOf('gzip');
  const fullMs = full.ms;
  console.log(
    `ironclad full build (warm .deb cache, gzip):      ${fullMs.toFixed(0)} ms, CPU ${full.cpuMs.toFixed(0)} ms (median of ${RUNS})`,
  );
  const zstd = await fullOf('zstd');
  const zstdMs = zstd.ms;
  console.log(
    `ironclad full build (warm .deb cache, zstd):      ${zstdMs.toFixed(0)} ms, CPU ${zstd.cpuMs.toFixed(0)} ms (median of ${RUNS})`,
  );

  const reference = await mmdebstrapMs(lock, work, ctx.home.root);
  if (reference !== undefined) {
    console.log(`mmdebstrap --variant=extract (warm, no update):   ${reference.toFixed(0)} ms (median of ${RUNS})`);
    console.log(
      `ratio mmdebstrap / ironclad, gzip:                ${(reference / fullMs).toFixed(2)}x (target >= 2.5x)`,
    );
    console.log(`ratio mmdebstrap / ironclad, zstd:                ${(reference / zstdMs).toFixed(2)}x (target >= 5x)`);
  }

  // A patch rebuild is timed once per package swapped (each a first rebuild of that change), median of RUNS.
  const patches = await patchPackages(lock, ctx, RUNS, work);
  const patchTimes: number[] = [];
  const patchCpu: number[] = [];
  for (const patched of patches) {
    // The .deb cache is warm for the patch too, as for the full build: the new version is downloaded before timing
    // (reading it is part of what is timed).
    await fetchDebs([patched.ref], ctx);
    const before = await buildImages(loaded, lock, opts('gzip0'), ctx);
    const { ms: patchMs, cpuMs } = await timedWithCpu(() => buildImages(loaded, patched.lock, opts('gzip0'), ctx));
    patchTimes.push(patchMs);
    patchCpu.push(cpuMs);
    const after = await buildImages(loaded, patched.lock, opts('gzip0'), ctx);
    const a = before.images[0]!.platforms[0]!.layers.map((l) => l.layer.diffId);
    const b = after.images[0]!.platforms[0]!.layers.map((l) => l.layer.diffId);
    const changed = b.filter((d, i) => d !== a[i]).length;
    console.log(
      `patch rebuild (${patched.what}): ${changed} of ${b.length} layers changed; ${patchMs.toFixed(0)} ms, CPU ${cpuMs.toFixed(0)} ms`,
    );
  }
  if (patchTimes.length > 0) {
    const patchMs = median(patchTimes);
    console.log(
      `patch rebuild: ${patchMs.toFixed(0)} ms (median of ${patchTimes.length}) = ${((patchMs / fullMs) * 100).toFixed(0)}% of a full build (target <= 15%)`,
    );
    const cpuMs = median(patchCpu);
    console.log(
      `patch rebuild CPU: ${cpuMs.toFixed(0)} ms (median) = ${((cpuMs / full.cpuMs) * 100).toFixed(0)}% of a full build's CPU (gzip)`,
    );
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

/** mmdebstrap with the same .debs and this machine's apt lists: no network, nothing but extraction. */
async function mmdebstrapMs(lock: Lockfile, work: string, home: string): Promise<number | undefined> {
  const lists = (await readdir('/var/lib/apt/lists').catch(() => [])).filter((f) => f.startsWith('deb.debian.org_'));
  if (lists.length === 0) {
    console.log('reference skipped: no deb.debian.org apt lists on this machine (run apt-get update)');
    return undefined;
  }
  const locked = lock.variants.runtime!.platforms[PLATFORM]!;
  const seed = join(work, 'seed');
  await mkdir(seed);
  for (const p of locked.packages)
    await copyFile(cachePath(new Home(home), p.sha256), join(seed, p.filename.split('/').pop()!));
  const include = locked.packages.map((p) => `${p.name}=${p.version}`).join(',');
  const hook = `mkdir -p "$1/var/lib/apt/lists" "$1/var/cache/apt/archives"; cp /var/lib/apt/lists/deb.debian.org_* "$1/var/lib/apt/lists/"; cp ${seed}/*.deb "$1/var/cache/apt/archives/"`;
  const sources = locked.suites.map((s) => `deb ${s.baseUrl} ${s.suite} main`);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const target = join(work, `mm${i}`);
    const args = ['--quiet', '--variant=extract', '--skip=update', `--include=${include}`, `--setup-hook=${hook}`];
    try {
      times.push(await timed(() => run('mmdebstrap', [...args, 'bookworm', target, ...sources])));
    } catch (err) {
      console.log(`reference skipped: mmdebstrap failed: ${(err as Error).message.split('\n')[0]}`);
      return undefined;
    }
  }
  return median(times);
}

/**
 * Up to `n` locks, each with one package replaced by another version the archive has (of the same source), found
 * by a helper process (bench/patch-locks.ts says why).
 */
async function patchPackages(lock: Lockfile, ctx: ReturnType<typeof createContext>, n: number, work: string) {
  const request: PatchLocksRequest = { lock, platform: PLATFORM, home: ctx.home.root, count: n };
  const file = join(work, 'patch-request.json');
  await writeFile(file, JSON.stringify(request));
  const helper = join(import.meta.dirname, 'patch-locks.ts');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', helper, file], { maxBuffer: 64 << 20 });
  const out = JSON.parse(stdout) as PatchLock[];
  if (out.length === 0) console.log('patch rebuild skipped: no locked package has a second version in the archive');
  return out;
}
