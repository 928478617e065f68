import { fail, type StageContext } from '../core/index.ts';
import type { ImageVariant } from '../definition/index.ts';
import {
  flattenImage,
  formatPlatform,
  type ImageFilesystem,
  type ImageSource,
  type Platform,
  platformMatches,
  type ResolvedImage,
} from '../oci/index.ts';
import { EMBEDDED_SBOM_PATH } from '../sbom/index.ts';
import { declaredPlatforms, installedPackages, isStatusPath, OS_RELEASE_PATHS, runChecks } from './checks/index.ts';
import { expectationsFor } from './expectations.ts';
import { runFunctionalTests } from './functional.ts';
import { platformSupport } from './platform-support.ts';
import { PreparedImage } from './prepared-image.ts';
import { STARTS, startsCheck } from './starts.ts';
import type { Expectations, FunctionalResult, PlatformReport, TestReport } from './types.ts';

export interface TestImageOptions {
  /** The definition variant the image was built from; without it, expectations come from the image labels. */
  readonly variant?: ImageVariant;
  /** Test only these platforms (each must be in the image); default: every platform of the image. */
  readonly platforms?: readonly Platform[];
  /** This machine's platform: functional tests run natively on it, elsewhere only through binfmt_misc. */
  readonly host: Platform;
  /** Run the definition's functional tests and the starts check (default true); checks always run. */
  readonly functional?: boolean;
  /**
   * Another variant of the same image (an exec probe's `variant: dev`), for the platform being tested; resolves
   * undefined when that variant is not available (the probe then fails, naming it).
   */
  readonly variantImage?: (variant: string, platform: Platform) => Promise<ResolvedImage | undefined>;
}

/** Small files the checks read, kept in memory while flattening so no layer is streamed twice for them. */
const CAPTURED = new Set(['etc/passwd', 'etc/group', EMBEDDED_SBOM_PATH, ...OS_RELEASE_PATHS]);

/**
 * Tests an image: for each platform, the standards checks over its flattened filesystem and config, then the
 * definition's functional tests in runc; plus the image-wide declared-platforms check. Reads as a checklist:
 * pick platforms → per platform (resolve → flatten → packages → checks → tests). Times come from `ctx.now()`.
 * @throws IroncladError USAGE when a requested platform is not in the image; RUNTIME_UNAVAILABLE when tests
 *   need runc and it cannot run; the errors of reading the image.
 */
export async function testImage(source: ImageSource, opts: TestImageOptions, ctx: StageContext): Promise<TestReport> {
  const start = ctx.now().getTime();
  const present = await source.platforms();
  const chosen = choosePlatforms(source.ref, present, opts.platforms);
  const reports: PlatformReport[] = [];
  let expect: Expectations | undefined;
  for (const platform of chosen) {
    ctx.log.progress(`testing ${source.ref} (${formatPlatform(platform)})`);
    const image = await source.resolve(platform);
    expect ??= expectationsFor(await image.config(), opts.variant);
    reports.push(await testPlatform(image, platform, expect, opts, ctx));
  }
  return {
    image: source.ref,
    variant: expect?.variant ?? opts.variant?.variant ?? 'runtime',
    imageChecks: [declaredPlatforms(expect?.platforms ?? opts.variant?.platforms, present)],
    platforms: reports,
    start,
    stop: ctx.now().getTime(),
  };
}

function choosePlatforms(ref: string, present: readonly Platform[], wanted?: readonly Platform[]): Platform[] {
  if (wanted === undefined || wanted.length === 0) return [...present];
  return wanted.map((w) => {
    const p = present.find((x) => platformMatches(x, w));
    if (p === undefined) {
      fail('USAGE', `${ref} has no ${formatPlatform(w)} image`, {
        hint: `it has: ${present.map(formatPlatform).join(', ') || 'no platforms'}`,
      });
    }
    return p;
  });
}

async function testPlatform(
  image: ResolvedImage,
  platform: Platform,
  expect: Expectations,
  opts: TestImageOptions,
  ctx: StageContext,
): Promise<PlatformReport> {
  const fs = await flattenImage(image, { capture: (path) => CAPTURED.has(path) || isStatusPath(path) });
  const packages = await installedPackages(fs);
  const config = await image.config();
  const checks = await runChecks({ fs, config, expect, packages, home: ctx.home, log: ctx.log });
  const tests = opts.functional === false ? [] : await runInContainers(image, fs, platform, expect, opts, ctx);
  return { platform, digest: image.digest, checks, tests };
}

/**
 * The starts check and the definition's functional tests, in runc, with the image unpacked once for all of them
 * (and each other variant an exec probe needs, once). On a platform this machine cannot run (no native support,
 * no binfmt_misc emulator) every one is skipped with the reason.
 */
async function runInContainers(
  image: ResolvedImage,
  fs: ImageFilesystem,
  platform: Platform,
  expect: Expectations,
  opts: TestImageOptions,
  ctx: StageContext,
): Promise<FunctionalResult[]> {
  const config = await image.config();
  const hasCommand = (config.config?.Entrypoint?.length ?? 0) > 0 || (config.config?.Cmd?.length ?? 0) > 0;
  if (!hasCommand && expect.tests.length === 0) return [];
  const support = await platformSupport(platform, opts.host);
  if (support.kind === 'unsupported') {
    const names = [...(hasCommand ? [STARTS] : []), ...expect.tests.map((t) => t.name)];
    return names.map((name) => ({ name, status: 'skipped', message: support.reason, durationMs: 0 }));
  }
  const prepare = (img: ResolvedImage) => PreparedImage.prepare(img, { host: opts.host }, ctx);
  // The checks flattened this image already: unpacking it reads its layers once more, not twice.
  const prepared = await PreparedImage.prepare(image, { host: opts.host, flattened: fs }, ctx);
  const others = new Map<string, Promise<PreparedImage>>();
  const variants = (name: string): Promise<PreparedImage> => {
    let p = others.get(name);
    if (p === undefined) {
      p = (async () => {
        const other = await opts.variantImage?.(name, platform);
        if (other === undefined)
          fail('NOT_FOUND', `the ${name} variant of ${image.digest} is not available`, {
            hint: `build it first: ironclad build DEFINITION --variant ${name}`,
          });
        return prepare(other);
      })();
      others.set(name, p);
    }
    return p;
  };
  try {
    return [await startsCheck(prepared, ctx), ...(await runFunctionalTests(prepared, expect.tests, variants, ctx))];
  } finally {
    await prepared.close();
    for (const p of others.values())
      await p.then(
        (x) => x.close(),
        () => undefined,
      );
  }
}

/** Whether any check or test of the report failed. */
export function reportFailed(report: TestReport): boolean {
  return (
    report.imageChecks.some((c) => c.status === 'failed') ||
    report.platforms.some(
      (p) => p.checks.some((c) => c.status === 'failed') || p.tests.some((t) => t.status === 'failed'),
    )
  );
}
