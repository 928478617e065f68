import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { createContext } from '../../src/core/context.ts';
import { isIroncladError, type StageContext } from '../../src/core/index.ts';
import { DEFINITION_FILE, type ImageVariant, loadDefinition, writeLockfile } from '../../src/definition/index.ts';
import type { BuiltImage } from '../../src/image/build.ts';
import { buildImages, planLock } from '../../src/image/index.ts';
import {
  formatPlatform,
  hostPlatform,
  imageSourceFrom,
  layoutBlobStore,
  type Platform,
  parsePlatform,
} from '../../src/oci/index.ts';
import { type TestReport, testImage } from '../../src/testing/index.ts';
import { platformSupport } from '../../src/testing/platform-support.ts';
import { importOsv } from '../../src/vuln/index.ts';
import { captureIO } from './cli-io.ts';

/*
 * The catalog end-to-end test, split into parts so the test queue's two workers build and test the catalog side
 * by side (test/image/catalog*.e2e.test.ts, one file per part). Every directory of images/ is in exactly one part
 * (images/reference holds look-alikes built to compare against, not catalog images); a new image is picked up
 * when it lands, no list to edit. Each image is locked afresh against the real archive (the committed lock may
 * name versions the archive has dropped), built for every declared platform this machine can run (natively or
 * through binfmt_misc's qemu; under emulation as EMULATED_TESTS_NOT_RUN and emulatedDevSample say), and held to
 * every standards check and to its definition's functional tests. What is not built or run is said in the
 * test's output (`NOT BUILT`, `NOT RUN`), never skipped silently.
 *
 * The parts share one home when IRONCLAD_TEST_HOME names it (scripts/test.sh sets one per run): the verified
 * download cache and the derived caches (parsed .debs, compressed layers) are content-addressed, verified on
 * read and written by rename, so two processes can fill them at once, and a package shared by many images is
 * downloaded, read and compressed once. The images are tagged in that home's store (the layout lock orders two
 * writers), so `ironclad catalog` over the home shows the figures of everything the run built.
 */

const REPO = resolve(import.meta.dirname, '../..');
export const IMAGES_DIR = join(REPO, 'images');
/** How many e2e files the catalog is split into: test/image/catalog.e2e.test.ts is part 1, catalog-N part N. */
export const CATALOG_PARTS = 4;
/** The shared OSV snapshot: scan and compare of every image are held to each other over it. */
const OSV = resolve(REPO, '..', 'shared', 'data', 'osv-debian-2025-02-12.tar.xz');
const LOCK_FILE = 'ironclad.lock.json';

/**
 * What runs under emulation (qemu-user through binfmt_misc), where every process costs many times its native CPU.
 * Runtime variants: built, checked and functionally tested on every platform. Other variants (dev): configuring
 * their packages runs the Essential set's maintainer scripts (perl, debconf, update-alternatives) under qemu,
 * about 150 CPU-seconds per image against 4 natively, more than the whole catalog's CI budget allows for every
 * image. So under emulation one dev variant per distribution is built and checked (EMULATED_DEV_SAMPLE: the
 * Essential set configures under qemu for Debian 12 and for Debian 13), and its tests (compilers, pip, npm), like
 * every dev variant's, run natively only. The test output names each build and test this leaves out.
 */
export const EMULATED_TESTS_NOT_RUN: ReadonlySet<string> = new Set(['dev']);

/**
 * The images whose non-runtime variants are also built for emulated platforms: per distribution, the one whose dev
 * variant has the fewest packages in its committed lock (ties by name), so the sample is the cheapest proof that
 * configuring under emulation works for that distribution.
 */
export function emulatedDevSample(names: readonly string[], dir: string = IMAGES_DIR): Set<string> {
  const best = new Map<string, { name: string; packages: number }>();
  for (const name of [...names].sort()) {
    const path = join(dir, name, LOCK_FILE);
    if (!existsSync(path)) continue;
    const lock = JSON.parse(readFileSync(path, 'utf8')) as {
      distro: string;
      variants: Record<string, { platforms: Record<string, { packages: unknown[] }> }>;
    };
    const dev = lock.variants.dev?.platforms;
    if (dev === undefined) continue;
    const packages = Math.min(...Object.values(dev).map((p) => p.packages.length));
    const current = best.get(lock.distro);
    if (current === undefined || packages < current.packages) best.set(lock.distro, { name, packages });
  }
  return new Set([...best.values()].map((b) => b.name));
}

/** The catalog images: directories of images/ with a definition, sorted. */
export function catalogImages(dir: string = IMAGES_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'reference' && existsSync(join(dir, e.name, DEFINITION_FILE)))
    .map((e) => e.name)
    .sort();
}

/**
 * What an image costs to build and test, roughly: the packages of its committed lock over every variant and
 * platform (each one downloaded, read and compressed), plus a fixed share per variant and platform (configuring,
 * unpacking, tests). An image without a lock yet counts as one small variant.
 */
export function buildWeight(name: string, dir: string = IMAGES_DIR): number {
  const path = join(dir, name, LOCK_FILE);
  if (!existsSync(path)) return 100;
  const lock = JSON.parse(readFileSync(path, 'utf8')) as {
    variants: Record<string, { platforms: Record<string, { packages: unknown[] }> }>;
  };
  let weight = 0;
  for (const v of Object.values(lock.variants))
    for (const p of Object.values(v.platforms)) weight += 50 + p.packages.length;
  return weight;
}

/**
 * The images of a part in the order they are built: by distribution (of the committed lock), then by name. Locking
 * reuses the package indices the process parsed last (src/debian/index-memo.ts keeps about one distribution's
 * two architectures), so images of one distribution in a row parse each index once instead of once per image.
 */
export function inDistroOrder(names: readonly string[], dir: string = IMAGES_DIR): string[] {
  const distro = (name: string): string => {
    const path = join(dir, name, LOCK_FILE);
    return existsSync(path) ? ((JSON.parse(readFileSync(path, 'utf8')) as { distro?: string }).distro ?? '') : '';
  };
  return names
    .map((n) => ({ n, d: distro(n) }))
    .sort((a, b) => (a.d === b.d ? (a.n < b.n ? -1 : 1) : a.d < b.d ? -1 : 1))
    .map((x) => x.n);
}

/**
 * Splits the images into `parts` of about equal weight: heaviest first, each to the lightest part so far
 * (ties by name, so the split is the same on every machine for the same images and locks).
 */
export function catalogParts(names: readonly string[], parts: number, weight: (n: string) => number): string[][] {
  const out = Array.from({ length: parts }, () => ({ names: [] as string[], weight: 0 }));
  const byWeight = names.map((n) => ({ n, w: weight(n) })).sort((a, b) => b.w - a.w || (a.n < b.n ? -1 : 1));
  for (const { n, w } of byWeight) {
    const lightest = out.reduce((min, p) => (p.weight < min.weight ? p : min));
    lightest.names.push(n);
    lightest.weight += w;
  }
  return out.map((p) => p.names.sort());
}

/** Every failed check and test of a report, as `platform check: message` lines (empty when all passed). */
function failures(report: TestReport): string[] {
  const image = report.imageChecks.filter((r) => r.status === 'failed').map((r) => `${r.name}: ${r.message}`);
  const perPlatform = report.platforms.flatMap((p) =>
    [...p.checks, ...p.tests]
      .filter((r) => r.status === 'failed')
      .map((r) => `${formatPlatform(p.platform)} ${r.name}: ${r.message}`),
  );
  return [...image, ...perPlatform];
}

interface Counts {
  readonly critical: number;
  readonly high: number;
  readonly medium: number;
  readonly low: number;
  readonly total: number;
}
const counts = (c: Counts) => ({ critical: c.critical, high: c.high, medium: c.medium, low: c.low, total: c.total });

/** Declares the e2e suite of one part (1-based) of the catalog. */
export function catalogPart(part: number): void {
  const all = catalogImages();
  const names = catalogParts(all, CATALOG_PARTS, (n) => buildWeight(n))[part - 1] ?? [];
  const devSample = emulatedDevSample(all);
  describe(`the image catalog from the real Debian archive, part ${part} of ${CATALOG_PARTS} (e2e)`, () => {
    const host = hostPlatform();
    let work: string;
    let ctx: StageContext;
    /** Platforms this machine runs, natively or emulated, and how. */
    const runnable = new Map<string, 'native' | 'emulated'>();

    before(async () => {
      work = await mkdtemp(join(tmpdir(), `ironclad-catalog-e2e-${part}-`));
      ctx = createContext({ home: process.env.IRONCLAD_TEST_HOME ?? join(work, 'home') });
      // The other parts may be importing into a shared home too: each import writes a new database and renames it.
      if (!existsSync(ctx.home.vulnDb)) await importOsv([OSV], ctx);
      for (const p of ['linux/amd64', 'linux/arm64']) {
        const support = await platformSupport(parsePlatform(p)!, host);
        if (support.kind !== 'unsupported') runnable.set(p, support.kind);
      }
    });
    after(async () => rm(work, { recursive: true, force: true }));

    /** `ironclad VERB ... --format json` against the run's home; the parsed output. */
    async function cliJson<T>(args: readonly string[]): Promise<T> {
      const io = captureIO(REPO, { IRONCLAD_HOME: ctx.home.root });
      const status = await runCli([...args, '--format', 'json'], io);
      assert.equal(status, 0, `${args.join(' ')}: ${io.err.join('\n')}`);
      return JSON.parse(io.out.join('\n')) as T;
    }

    /** scan and compare read the same image with the same database and VEX: they must report the same counts. */
    async function scanAndCompareAgree(image: string): Promise<void> {
      const scanned = await cliJson<{ summary: Counts & { suppressed: number } }>(['scan', image]);
      const compared = await cliJson<{
        target: { vulnerabilities: { counts: Counts; total: number; suppressedByVex: number } };
      }>(['compare', image, '--to', image]);
      const t = compared.target.vulnerabilities;
      assert.deepEqual(counts({ ...t.counts, total: t.total }), counts(scanned.summary), `${image}: compare and scan`);
      assert.equal(t.suppressedByVex, scanned.summary.suppressed, `${image}: suppressed by VEX`);
    }

    for (const name of inDistroOrder(names)) {
      test(`${name}: runtime and dev pass every check and test, natively and under emulation`, async (t) => {
        const def = join(work, 'def', name);
        await mkdir(def, { recursive: true });
        // The definition and every file beside it (advisories, configuration that `paths` pins), not its lock:
        // the lock is made fresh here.
        for (const f of await readdir(join(IMAGES_DIR, name))) {
          if (f !== LOCK_FILE) await copyFile(join(IMAGES_DIR, name, f), join(def, f));
        }
        const loaded = await loadDefinition(def);
        const declared = loaded.definition.platforms;
        const platforms = declared.filter((p) => runnable.has(p));
        for (const p of declared.filter((p) => !runnable.has(p)))
          t.diagnostic(`NOT BUILT: ${p}: this machine cannot run it (no binfmt_misc handler)`);
        assert.ok(platforms.length > 0, `${name}: none of ${declared.join(', ')} runs here`);
        const plan = await planLock(loaded, { variant: 'all', platforms }, ctx);
        await writeLockfile(loaded.dir, plan.lock);
        const images: BuiltImage[] = [];
        const builtOn = new Map<BuiltImage, readonly string[]>();
        for (const variant of ['runtime', ...Object.keys(loaded.definition.variants).sort()]) {
          const emulated = variant === 'runtime' || devSample.has(name);
          const on = platforms.filter((p) => emulated || runnable.get(p) === 'native');
          for (const p of platforms.filter((p) => !on.includes(p)))
            t.diagnostic(`NOT BUILT: ${name} ${variant} for ${p} (emulated; sampled: ${[...devSample].join(', ')})`);
          const built = await buildImages(loaded, plan.lock, { variant, platforms: on, test: false, host }, ctx);
          for (const image of built.images) {
            images.push(image);
            builtOn.set(image, on);
          }
        }
        const problems: string[] = [];
        for (const image of images)
          problems.push(...(await checkImage(image, images, builtOn.get(image)!, (m) => t.diagnostic(m))));
        assert.deepEqual(problems, [], `${name}: failed checks and tests`);
        for (const image of images) await scanAndCompareAgree(image.tags[0]!);
      });
    }

    /**
     * Tests one built variant on each platform it was built for: every standards check everywhere; the functional
     * tests natively, and under emulation unless EMULATED_TESTS_NOT_RUN names the variant. Returns every failure, and every definition
     * test that should have run and did not, or was skipped.
     */
    async function checkImage(
      image: BuiltImage,
      all: readonly BuiltImage[],
      platforms: readonly string[],
      note: (message: string) => void,
    ): Promise<string[]> {
      const what = `${image.variant.name} ${image.variant.variant}`;
      const variant: ImageVariant = { ...image.variant, platforms };
      const source = imageSourceFrom(layoutBlobStore(ctx.home.store), image.index.digest, { display: what });
      const problems: string[] = [];
      for (const p of platforms) {
        const platform: Platform = parsePlatform(p)!;
        const functional = runnable.get(p) === 'native' || !EMULATED_TESTS_NOT_RUN.has(image.variant.variant);
        if (!functional && image.variant.tests.length > 0) {
          note(`NOT RUN: ${what} on ${p} (emulated): ${image.variant.tests.map((x) => x.name).join(', ')}`);
        }
        const report = await testImage(
          source,
          { variant, host, platforms: [platform], functional, variantImage: siblings(all) },
          ctx,
        );
        problems.push(...failures(report).map((f) => `${what}: ${f}`));
        if (!functional) continue;
        const tests = report.platforms.flatMap((r) => r.tests);
        const ran = new Set(tests.map((x) => x.name));
        for (const x of image.variant.tests)
          if (!ran.has(x.name)) problems.push(`${what}: ${p} test ${x.name} did not run`);
        // `starts` is skipped, rightly, for an image with no default command (dev variants of base and static).
        for (const x of tests)
          if (x.status === 'skipped' && !(x.name === 'starts' && /no Entrypoint or Cmd/.test(x.message)))
            problems.push(`${what}: ${p} test ${x.name} was skipped: ${x.message}`);
      }
      return problems;
    }

    /** Another variant of the same build (an exec probe's `variant:`), as the build's own tests would find it. */
    function siblings(images: readonly BuiltImage[]) {
      return (variant: string, platform: Platform) => {
        const other = images.find((i) => i.variant.variant === variant);
        if (other === undefined) return Promise.resolve(undefined);
        return imageSourceFrom(layoutBlobStore(ctx.home.store), other.index.digest)
          .resolve(platform)
          .catch((err: unknown) => (isIroncladError(err, 'NOT_FOUND') ? undefined : Promise.reject(err)));
      };
    }
  });
}
