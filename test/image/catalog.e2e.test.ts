import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { createContext } from '../../src/core/context.ts';
import type { StageContext } from '../../src/core/index.ts';
import { loadDefinition, writeLockfile } from '../../src/definition/index.ts';
import type { BuiltImage } from '../../src/image/build.ts';
import { buildImages, planLock } from '../../src/image/index.ts';
import { imageSourceFrom, layoutBlobStore, parsePlatform } from '../../src/oci/index.ts';
import { type TestReport, testImage } from '../../src/testing/index.ts';
import { importOsv } from '../../src/vuln/index.ts';
import { captureIO } from '../support/cli-io.ts';

const REPO = resolve(import.meta.dirname, '../..');
const CATALOG = ['static', 'base', 'cc', 'python', 'python-3.13', 'node'];
const AMD64 = parsePlatform('linux/amd64')!;
/** The shared OSV snapshot: scan and compare of every image are held to each other over it. */
const OSV = resolve(REPO, '..', 'shared', 'data', 'osv-debian-2025-02-12.tar.xz');

interface Counts {
  readonly critical: number;
  readonly high: number;
  readonly medium: number;
  readonly low: number;
  readonly total: number;
}
const counts = (c: Counts) => ({ critical: c.critical, high: c.high, medium: c.medium, low: c.low, total: c.total });

/** Every failed check and test of a report, as `check name: message` lines (empty when all passed). */
function failures(report: TestReport): string[] {
  const all = [...report.imageChecks, ...report.platforms.flatMap((p) => [...p.checks, ...p.tests])];
  return all.filter((r) => r.status === 'failed').map((r) => `${r.name}: ${r.message}`);
}

// Needs the real Debian archive and runc: locks every catalog image for amd64 and arm64, builds runtime and
// dev for amd64, and holds each to the standards checks and its definition's functional tests. The package
// cache is shared by all images; set IRONCLAD_TEST_HOME to keep it between runs.
describe('the image catalog from the real Debian archive (e2e)', () => {
  let work: string;
  let ctx: StageContext;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'ironclad-catalog-e2e-'));
    ctx = createContext({ home: process.env.IRONCLAD_TEST_HOME ?? join(work, 'home') });
    await importOsv([OSV], ctx);
  });

  /** `ironclad VERB ... --format json` against this run's home; the parsed output. */
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
  after(async () => rm(work, { recursive: true, force: true }));

  for (const name of CATALOG) {
    test(`${name}: runtime and dev pass every check and test`, async () => {
      const def = join(work, 'def', name);
      await mkdir(def, { recursive: true });
      // The definition and its companions (advisories), not its lock: the lock is made fresh here.
      for (const f of await readdir(join(REPO, 'images', name))) {
        if (f.endsWith('.yaml')) await copyFile(join(REPO, 'images', name, f), join(def, f));
      }
      const loaded = await loadDefinition(def);
      const plan = await planLock(loaded, { variant: 'all', platforms: ['linux/amd64', 'linux/arm64'] }, ctx);
      await writeLockfile(loaded.dir, plan.lock);
      const out = join(work, 'out', name);
      const built = await buildImages(
        loaded,
        plan.lock,
        { variant: 'all', platforms: ['linux/amd64'], out, test: false, host: AMD64 },
        ctx,
      );
      assert.deepEqual(
        built.images.map((i) => i.variant.variant),
        ['runtime', 'dev'],
      );
      for (const image of built.images) {
        await checkImage(image, out);
        await scanAndCompareAgree(`oci:${out}:${image.tags[0]}`);
      }
    });
  }

  async function checkImage(image: BuiltImage, out: string): Promise<void> {
    const source = imageSourceFrom(layoutBlobStore(out), image.tags[0]!);
    // Only amd64 was built here, so that is the platform list the declared-platforms check holds it to.
    const variant = { ...image.variant, platforms: ['linux/amd64'] };
    const tmp = join(work, 'bundles');
    await mkdir(tmp, { recursive: true });
    const report = await testImage(source, { variant, host: AMD64, platforms: [AMD64] }, ctx);
    const what = `${image.variant.name} ${image.variant.variant}`;
    assert.deepEqual(failures(report), [], `${what} failed`);
    const tests = report.platforms.flatMap((p) => p.tests);
    // Besides the definition's own tests, an image with a default command also gets the `starts` check.
    const ran = new Set(tests.map((t) => t.name));
    for (const t of image.variant.tests) assert.ok(ran.has(t.name), `${what}: test ${t.name} ran`);
    // `starts` is skipped, rightly, for an image with no default command (dev variants of base and static).
    const noCommand = (t: (typeof tests)[number]) => t.name === 'starts' && t.status === 'skipped';
    assert.deepEqual(
      tests.filter((t) => t.status !== 'passed' && !noCommand(t)).map((t) => `${t.name}: ${t.status} (${t.message})`),
      [],
      `${what}: a functional test was skipped`,
    );
  }
});
