/**
 * Update benchmark on the real Debian archive:  node --import tsx bench/update.ts [IMAGE...]
 * (default: every image of images/ but images/reference, runtime variant, linux/amd64).
 *
 * The scenario is what `ironclad update` meets after a glibc security update: every image was built from its lock,
 * then one package every image has moves in the archive. To have that on the real archive, each image is locked
 * now and its lock then names the previous version of one package (libc6, else the first of PREFERRED the image
 * has, else its first package; made from the current .deb, see movedBack): that older lock is the one built, and
 * the archive as it is now is the update.
 *
 * What the two columns share, and why:
 * - Both start from a warm .deb cache: every .deb of both lock sets is in the download cache before anything is
 *   timed, and every .deb of the built locks is also parsed into the parsed-.deb cache (as bench/build.ts's full
 *   build has it; the parse of a .deb is done once per machine, not per build). Network is never timed. The one .deb
 *   not parsed beforehand is the moved package's new version: the update parses it, as a real update would its
 *   just-published .deb.
 * - Nothing else: the full build runs in a home holding only those two caches (hard links to them) and the archive
 *   state an offline re-lock opens, so every layer is tarred and compressed and no layer cache, layer key or stored
 *   blob helps it.
 * - Both build the way `ironclad update` does: images in parallel up to the number of cores (availableParallelism,
 *   update's default --jobs), into the home's store, tagged.
 *
 * Columns, each once without tests and once with them (runc; the tests are the ones update runs, unchanged):
 * - Full build: every image built from its (older) lock (`ironclad build` of each, `jobs` at a time).
 * - Update: in that same home, right after the full build, what `ironclad update --variant runtime` does: re-lock
 *   every definition against the archive (offline: its indices are in the download cache, so no network, but they
 *   are decompressed and parsed as in a fresh process; the resolution cache is cold, as when the archive moved),
 *   then rebuild, test, changelog, history and tags for every image whose lock moved (runUpdate, the CLI's code).
 *   The ratio is printed for the rebuild alone (the full build locks nothing either) and with the re-lock added.
 * The per-image lines say how long each image's update took from its first step to its built (and tested) image;
 * images run two or more at a time, so these overlap and do not add up to the wall clock.
 * Timings are wall clock on this machine, in one run; nothing here is a test. `uptime` load is printed with them.
 * BENCH_PROFILE=DIR writes a CPU profile of each timed step (the main thread; layer compression runs on the libuv
 * pool and shows as idle there).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFile,
  cp,
  link,
  lstat,
  lutimes,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createContext, type Logger, mapLimit, type StageContext } from '../src/core/index.ts';
import { storeBytes } from '../src/debian/archive-cache.ts';
import { fetchDebs, forgetParsedArchives, type PackageFileRef } from '../src/debian/index.ts';
import {
  type LoadedDefinition,
  type LockedPackage,
  type Lockfile,
  loadDefinition,
  writeLockfile,
} from '../src/definition/index.ts';
import { debContentsCache, readDebCached } from '../src/image/deb-cache.ts';
import { buildImages, planLock } from '../src/image/index.ts';
import { planUpdate, runUpdate } from '../src/update/index.ts';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '..');
const PLATFORM = 'linux/amd64';
const PREFERRED = ['libc6', 'tzdata', 'libgcc-s1'];
const JOBS = availableParallelism();

interface Column {
  readonly full: number;
  readonly relock: number;
  readonly update: number;
  readonly perImage: ReadonlyMap<string, number>;
  /** Per image: how many of its layers the update created. */
  readonly layers: ReadonlyMap<string, string>;
  readonly fullDigests: ReadonlyMap<string, string>;
  readonly updateDigests: ReadonlyMap<string, string>;
  readonly rebuilt: number;
  readonly loads: readonly string[];
}

/** With BENCH_PROFILE=DIR, each timed step is also CPU-profiled into DIR/NAME.cpuprofile (the timing then includes it). */
const PROFILE_DIR = process.env.BENCH_PROFILE;

async function timed(fn: () => Promise<unknown>, name?: string): Promise<number> {
  const session = PROFILE_DIR === undefined || name === undefined ? undefined : new Session();
  if (session !== undefined) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const t = performance.now();
  await fn();
  const ms = performance.now() - t;
  if (session !== undefined) {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(PROFILE_DIR!, { recursive: true });
    await writeFile(join(PROFILE_DIR!, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
  return ms;
}

/** The 1-minute load average, as `uptime` prints it first. */
const load = () => loadavg()[0]!.toFixed(2);

const names =
  process.argv.length > 2
    ? process.argv.slice(2)
    : (await readdir(join(REPO, 'images'), { withFileTypes: true }))
        .filter((d) => d.isDirectory() && d.name !== 'reference')
        .map((d) => d.name)
        .sort();
const work = await mkdtemp(join(tmpdir(), 'bench-update-'));
try {
  const seed = createContext({ home: join(work, 'seed') });
  const current: Lockfile[] = [];
  for (const name of names) {
    // A copy taken once: the definitions cannot change under a long run (each column copies this one).
    await cp(join(REPO, 'images', name), join(work, 'images', name), { recursive: true });
    const loaded = await loadDefinition(join(work, 'images', name));
    current.push((await planLock(loaded, { platforms: [PLATFORM], variant: 'runtime' }, seed)).lock);
  }
  // Every .deb of the current locks downloaded (those of the older locks are these but one, made from it).
  await fetchDebs(current.flatMap(refsOf), seed, { concurrency: 8 });
  const { older, what } = await movedBack(names, current, seed);
  // Warm .deb cache: the .debs of the built (older) locks parsed too; the update's new one is not.
  const builtRefs = older.flatMap(refsOf);
  const parsed = debContentsCache({ home: seed.home, log: seed.log });
  const unique = [...new Map(builtRefs.map((r) => [r.sha256, r])).values()];
  const paths = await fetchDebs(unique, seed);
  await mapLimit(
    unique.map((r, i) => ({ r, path: paths[i]! })),
    JOBS,
    async ({ r, path }) => void (await readDebCached(path, r.sha256, parsed)),
  );

  const columns: Column[] = [];
  for (const test of [false, true]) columns.push(await measure(test ? 'tests' : 'no-tests', test));

  const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;
  console.log(`images (${names.length}): ${names.join(', ')} (runtime, ${PLATFORM}, ${JOBS} at a time)`);
  console.log(`moved: ${what.join('; ')}`);
  for (const [i, c] of columns.entries()) {
    const label = i === 0 ? 'tests excluded' : 'tests included';
    console.log(`--- ${label} (1-min load at the start of full, re-lock, update: ${c.loads.join(', ')})`);
    console.log(`full build:                 ${c.full.toFixed(0)} ms`);
    console.log(`re-lock (offline):          ${c.relock.toFixed(0)} ms`);
    console.log(
      `update, rebuild of ${c.rebuilt}:      ${c.update.toFixed(0)} ms = ${pct(c.update, c.full)} of the full build (target <= 25%)`,
    );
    console.log(
      `update with re-lock:        ${(c.update + c.relock).toFixed(0)} ms = ${pct(c.update + c.relock, c.full)} of the full build`,
    );
  }
  const [a, b] = columns as [Column, Column];
  console.log('per image, update from its first step to its built image, ms (tests excluded | included):');
  for (const name of names) {
    const ms = (m: ReadonlyMap<string, number>) => m.get(name)?.toFixed(0) ?? '-';
    console.log(
      `  ${name.padEnd(12)} ${ms(a.perImage).padStart(7)} | ${ms(b.perImage).padStart(7)}  ${a.layers.get(name) ?? 'not rebuilt'}`,
    );
  }
  const same = (x: ReadonlyMap<string, string>, y: ReadonlyMap<string, string>) =>
    x.size === y.size && [...x].every(([k, v]) => y.get(k) === v);
  console.log(
    `same digests in both columns: full ${same(a.fullDigests, b.fullDigests)}, update ${same(a.updateDigests, b.updateDigests)}`,
  );

  /** One column: a home with only the warm .deb caches, the full build, then the update in that home. */
  async function measure(label: string, test: boolean): Promise<Column> {
    const ctx = await homeWithDebCaches(join(work, label));
    const log = stepTimes(ctx.log);
    const loaded: LoadedDefinition[] = [];
    for (const [i, name] of names.entries()) {
      const dir = join(work, label, 'images', name);
      await cp(join(work, 'images', name), dir, { recursive: true });
      await writeLockfile(dir, older[i]!);
      loaded.push(await loadDefinition(dir));
    }
    // Each step runs as in a fresh process: `ironclad build` holds no parsed indices, and `ironclad update` parses
    // them in its re-lock (the setup's locks parsed them into this process's memo).
    forgetParsedArchives();
    const fullDigests = new Map<string, string>();
    const loads = [load()];
    const full = await timed(
      () =>
        mapLimit(
          loaded.map((l, i) => ({ l, lock: older[i]! })),
          JOBS,
          async ({ l, lock }) => {
            const built = await buildImages(l, lock, { platforms: [PLATFORM], test }, ctx);
            fullDigests.set(basename(l.dir), built.images[0]!.index.digest);
          },
        ),
      `${label}-full`,
    );
    loads.push(load());
    let plan: Awaited<ReturnType<typeof planUpdate>> = [];
    const relock = await timed(async () => {
      plan = await planUpdate(loaded, { variant: 'runtime', offline: true }, ctx);
    }, `${label}-relock`);
    loads.push(load());
    const rebuilt = plan.filter((p) => p.variants.some((v) => v.rebuild !== undefined)).length;
    const updateDigests = new Map<string, string>();
    const layers = new Map<string, string>();
    const updateCtx = { ...ctx, log: log.logger };
    const nameOf = new Map(loaded.map((l) => [l.path, l.definition.name]));
    const update = await timed(async () => {
      const outcomes = await runUpdate(
        plan,
        {
          test,
          afterBuild: async (result) => {
            const path = result.definition.path;
            log.done(nameOf.get(path) ?? '', basename(dirname(path)));
          },
        },
        updateCtx,
      );
      for (const o of outcomes) {
        const failed = o.failure?.message;
        if (failed !== undefined) throw new Error(`${o.planned.loaded.definition.name}: ${failed}`);
        const v = o.variants[0];
        const dir = basename(o.planned.loaded.dir);
        if (v?.digest !== undefined) updateDigests.set(dir, v.digest);
        if (v?.layers !== undefined) {
          const { created, reused } = v.layers;
          layers.set(dir, `${created} of ${created + reused} layers new`);
        }
      }
    }, `${label}-update`);
    return { full, relock, update, perImage: log.durations, layers, fullDigests, updateDigests, rebuilt, loads };
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

/** A home holding (hard links to) the seed's downloads and parsed .debs, with the secret that seals the latter. */
async function homeWithDebCaches(dir: string): Promise<StageContext> {
  const home = join(dir, 'home');
  await mkdir(join(home, 'cache', 'derived'), { recursive: true });
  const from = join(work, 'seed');
  await run('cp', ['-al', join(from, 'cache', 'sha256'), join(home, 'cache', 'sha256')]);
  await run('cp', ['-al', join(from, 'cache', 'derived', 'deb-contents'), join(home, 'cache', 'derived')]);
  // The newest InRelease seen per suite: what an offline re-lock opens.
  await run('cp', ['-a', join(from, 'archive-state'), join(home, 'archive-state')]);
  await link(join(from, 'derived-cache.key'), join(home, 'derived-cache.key'));
  return createContext({ home });
}

/**
 * A logger that notes when each image's update starts (runUpdate prefixes each image's lines with `[name] `, and
 * its first is `... building`); `done(name, dir)` ends the earliest started one of that name (java-17 and java-21 are
 * both named java) and records its time under the definition's directory name.
 */
function stepTimes(inner: Logger) {
  const started = new Map<string, number[]>();
  const durations = new Map<string, number>();
  const note = (msg: string) => {
    const m = /^\[([^\]]+)\] .*: building$/.exec(msg);
    if (m !== null) started.set(m[1]!, [...(started.get(m[1]!) ?? []), performance.now()]);
  };
  const noted =
    (write: (m: string) => void) =>
    (m: string): void => {
      note(m);
      write(m);
    };
  const logger: Logger = {
    info: noted((m) => inner.info(m)),
    warn: noted((m) => inner.warn(m)),
    debug: noted((m) => inner.debug(m)),
    progress: noted((m) => inner.progress(m)),
    tick: noted((m) => inner.tick(m)),
  };
  const done = (name: string, dir: string) => {
    const t = started.get(name)?.shift();
    if (t !== undefined) durations.set(dir, performance.now() - t);
  };
  return { logger, done, durations };
}

function refsOf(lock: Lockfile): PackageFileRef[] {
  const locked = lock.variants.runtime!.platforms[PLATFORM]!;
  const baseUrls = new Map(locked.suites.map((s) => [s.suite, s.baseUrl]));
  return locked.packages.map((p) => ({
    name: p.name,
    version: p.version,
    architecture: p.architecture,
    baseUrl: baseUrls.get(p.suite)!,
    filename: p.filename,
    size: p.size,
    sha256: p.sha256,
  }));
}

/**
 * Every lock with one package moved back to a previous version (libc6 first, else the first of PREFERRED the image
 * has, else its first package): the lock as it was before that package's last update. The archive keeps no older
 * libc6 for every distribution (Debian 13 serves one), so the previous version is made from the current .deb:
 * version lowered (`~previous` sorts before it), every file's date 30 days earlier (as an older changelog date clamps
 * them) and a line added to its copyright file (kept in images), so its layer, its dpkg status, the SBOM and, where
 * it is the newest package, the image's epoch all differ, as for a real update. It goes into the download cache under its own
 * sha256, which the lock names; the re-lock of the update then moves every image to the archive's version.
 */
async function movedBack(names: readonly string[], locks: readonly Lockfile[], ctx: StageContext) {
  const what: string[] = [];
  const made = new Map<string, LockedPackage>();
  const older: Lockfile[] = [];
  for (const [i, lock] of locks.entries()) {
    const locked = lock.variants.runtime!.platforms[PLATFORM]!;
    // An image with none of them (busybox: one package) has its own package moved: every image is rebuilt.
    const p = [...PREFERRED.map((n) => locked.packages.find((x) => x.name === n)), locked.packages[0]].find(
      (x) => x !== undefined,
    )!;
    let previous = made.get(p.sha256);
    if (previous === undefined) {
      const [path] = await fetchDebs(
        refsOf(lock).filter((r) => r.name === p.name),
        ctx,
      );
      previous = await previousVersion(p, path!, ctx);
      made.set(p.sha256, previous);
    }
    what.push(`${names[i]}: ${p.name} ${previous.version} → ${p.version}`);
    const packages = locked.packages.map((x) => (x.name === p.name ? previous : x));
    older.push({
      ...lock,
      variants: { ...lock.variants, runtime: { platforms: { [PLATFORM]: { ...locked, packages } } } },
    });
  }
  return { older, what };
}

/** The lock entry of `p` one version earlier, its .deb made from `path` (see movedBack) and stored in the cache. */
async function previousVersion(p: LockedPackage, path: string, ctx: StageContext): Promise<LockedPackage> {
  const dir = await mkdtemp(join(work, 'previous-'));
  const root = join(dir, 'root');
  await run('dpkg-deb', ['-R', path, root]);
  const version = `${p.version}~previous`;
  const controlPath = join(root, 'DEBIAN', 'control');
  const control = await readFile(controlPath, 'utf8');
  await writeFile(controlPath, control.replace(/^Version: .*$/m, `Version: ${version}`));
  const copyright = `usr/share/doc/${p.name}/copyright`;
  await appendFile(join(root, copyright), '\nThis line marks a previous version made by bench/update.ts.\n');
  const md5 = createHash('md5')
    .update(await readFile(join(root, copyright)))
    .digest('hex');
  const sumsPath = join(root, 'DEBIAN', 'md5sums');
  const sums = await readFile(sumsPath, 'utf8').catch(() => undefined);
  if (sums !== undefined) {
    await writeFile(sumsPath, sums.replace(new RegExp(`^[0-9a-f]{32}  ${copyright}$`, 'm'), `${md5}  ${copyright}`));
  }
  const earlier = async (at: string): Promise<void> => {
    const st = await lstat(at);
    if (st.isDirectory()) {
      for (const e of await readdir(at)) if (!(at === root && e === 'DEBIAN')) await earlier(join(at, e));
    }
    const t = new Date(st.mtimeMs - 30 * 86_400_000);
    await lutimes(at, t, t);
  };
  await earlier(root);
  const deb = join(dir, 'previous.deb');
  await run('dpkg-deb', ['-Zxz', '-b', root, deb]);
  const bytes = await readFile(deb);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await storeBytes(ctx.home, { sha256, size: bytes.length }, bytes);
  await rm(dir, { recursive: true, force: true });
  return { ...p, version, sha256, size: bytes.length };
}
