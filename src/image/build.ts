import { posix, relative, sep } from 'node:path';
import { fail, isIroncladError, type StageContext } from '../core/index.ts';
import { type Distro, type LoadDistroOptions, loadDistro } from '../debian/index.ts';
import {
  assertLockFresh,
  buildRelevant,
  expandVariants,
  type ImageBase,
  type ImageVariant,
  inBuildOrder,
  type LoadedDefinition,
  type LockedPlatform,
  type Lockfile,
  selectVariants,
} from '../definition/index.ts';
import {
  buildIndex,
  type Descriptor,
  type Digest,
  hostPlatform,
  type ImageEndpoint,
  imageSourceFrom,
  layoutEndpoint,
  type Platform,
  storeTagName,
  tagPlatformManifests,
} from '../oci/index.ts';
import { describeFailures, reportFailed, type TestImageOptions, type TestReport, testImage } from '../testing/index.ts';
import { advisoriesFor, type OpenVexDocument } from '../vuln/index.ts';
import { readAdvisories, storeAdvisoryVex } from './advisories-vex.ts';
import { baseLockedPlatform, checkPinsKept, readBaseLock } from './base-lock.ts';
import { type BasePlatformInput, buildPlatform, type PlatformBuild } from './build-platform.ts';
import { imageAnnotations } from './image-config.ts';
import type { BuildCompression } from './layer-cache.ts';
import { definitionPathSources } from './path-sources.ts';

export interface BuildOptions {
  /** `runtime` (default), `dev`, `all`, or a variant name. */
  readonly variant?: string;
  /** Only these platforms (each must be in the lock); default: every locked platform. */
  readonly platforms?: readonly string[];
  /** Write into this OCI layout (tags are the image tags) instead of the local store (tags `name:tag`). */
  readonly out?: string;
  /** SOURCE_DATE_EPOCH override in seconds. */
  readonly epoch?: number;
  readonly source?: { readonly repository?: string; readonly revision?: string };
  /**
   * The definition's path relative to its repository, as provenance records it: labelled on the image (with the
   * definition digest, always labelled) so `ironclad test IMAGE` finds the definition and its tests.
   */
  readonly definitionPath?: string;
  readonly distro?: LoadDistroOptions;
  /** A distro config given directly; wins over `distro`. */
  readonly distroConfig?: Distro;
  /**
   * Run the standards checks and functional tests (runc) before tagging; default true. A failing image is not
   * tagged: the build fails with TEST_FAILED. False records that tests were skipped (provenance says so).
   */
  readonly test?: boolean;
  /** The platform functional tests run on natively; default this machine's. */
  readonly host?: Platform;
  /** Derive everything from the verified .debs without reading or writing the derived caches (`--no-cache`). */
  readonly noCache?: boolean;
  /** Layer compression (`--compression`); default the definition's `compression` (gzip unless it says zstd). */
  readonly compression?: BuildCompression;
  /**
   * A repository where workers share compressed layers (`--cache-from REGISTRY/REPO`): layers found there by
   * diffId are reused (checked by digest and diffId), layers compressed here are added. Off with `noCache`.
   */
  readonly cacheFrom?: ImageEndpoint;
  /**
   * Point the tags at the new index; default true. False stores the index untagged and leaves moving the tags
   * (`BuiltImage.tags`) to the caller: the update stage records history first, so a tag never moves unrecorded.
   */
  readonly tag?: boolean;
  /** For a customization: its base's lock (default: the one beside the base definition). */
  readonly baseLock?: Lockfile;
}

/** One variant built for all its platforms, under one index. */
export interface BuiltImage {
  readonly variant: ImageVariant;
  readonly index: Descriptor;
  /** References written (or, with `tag: false`, to write): `name:tag` in the store, or `tag` in an --out layout. */
  readonly tags: readonly string[];
  readonly platforms: readonly PlatformBuild[];
  /** The OpenVEX document compiled from advisories.yaml for each platform, keyed by platform. */
  readonly vex: ReadonlyMap<string, OpenVexDocument>;
  /** The test report the image passed, or undefined when tests were skipped (`test: false`). */
  readonly testReport?: TestReport;
}

export interface BuildResult {
  readonly layout: string;
  /** The definition the images were built from (path, digest and document go into provenance). */
  readonly definition: {
    readonly path: string;
    readonly digest: string;
    /** The build-relevant document (`LoadedDefinition.raw` without its catalog text). */
    readonly document: Readonly<Record<string, unknown>>;
  };
  readonly images: readonly BuiltImage[];
}

/**
 * Builds the selected variants of a definition from its lock only (a stale lock is refused), one manifest per
 * platform under an OCI index, and tags them in the target layout. Blobs are content-addressed and written
 * before any tag moves, so an interrupted build leaves the store as it was (plus unreferenced blobs for gc).
 */
export async function buildImages(
  loaded: LoadedDefinition,
  lock: Lockfile,
  opts: BuildOptions,
  ctx: StageContext,
): Promise<BuildResult> {
  assertLockFresh(lock, loaded);
  const layoutDir = opts.out ?? ctx.home.store;
  const out = layoutEndpoint(layoutDir);
  const store = out.requireWriter();
  const distro = opts.distroConfig ?? (await loadDistro(loaded.definition.distro, opts.distro ?? {}));
  const advisories = await readAdvisories(loaded.dir);
  const variants = inBuildOrder(selectVariants(loaded.definition, opts.variant ?? 'runtime'));
  const pathSources = await definitionPathSources(loaded, variants);
  const baseOf = await baseInputs(loaded, opts);
  const images: BuiltImage[] = [];
  const tagsOf = (v: ImageVariant) => v.tags.map((t) => (opts.out === undefined ? storeTagName(v.name, t) : t));
  // The image an exec probe's `variant:` names: built in this run (inBuildOrder builds it first), else the one
  // tagged in the output.
  const builtIndex = new Map<string, string>();
  const variantImage = async (name: string, platform: Platform) => {
    const other = expandVariants(loaded.definition).find((v) => v.variant === name);
    const reference = builtIndex.get(name) ?? (other === undefined ? undefined : tagsOf(other)[0]);
    if (reference === undefined) return undefined;
    return imageSourceFrom(out.store, reference, { display: `${loaded.definition.name} (${name})` })
      .resolve(platform)
      .catch((err: unknown) => (isIroncladError(err, 'NOT_FOUND') ? undefined : Promise.reject(err)));
  };
  for (const variant of variants) {
    const platforms: PlatformBuild[] = [];
    for (const locked of lockedPlatforms(lock, variant, opts.platforms, loaded.path)) {
      platforms.push(
        await buildPlatform(
          {
            variant,
            locked,
            distro,
            host: opts.host ?? hostPlatform(),
            ...(variant.variant !== 'runtime' && {
              sharedWith: lock.variants.runtime?.platforms[locked.platform]?.packages ?? [],
            }),
            ...(opts.epoch !== undefined && { epoch: opts.epoch }),
            ...(opts.source !== undefined && { source: opts.source }),
            definition: {
              digest: loaded.digest,
              ...(opts.definitionPath !== undefined && { path: opts.definitionPath }),
            },
            useCache: opts.noCache !== true,
            ...(opts.compression !== undefined && { compression: opts.compression }),
            ...(opts.cacheFrom !== undefined && {
              sharedLayers: { repo: opts.cacheFrom, log: ctx.log, now: ctx.now, signal: ctx.signal },
            }),
            pathSources,
            ...(baseOf !== undefined && { base: baseOf(variant.variant, locked) }),
          },
          out,
          ctx,
        ),
      );
    }
    const vex = new Map<string, OpenVexDocument>();
    const verdicts = advisoriesFor(advisories ?? [], variant.variant);
    if (verdicts.length > 0)
      for (const p of platforms) {
        vex.set(p.platform, await storeAdvisoryVex(out.referrers, variant.name, p, verdicts, ctx.now()));
      }
    const labels = platforms[0]?.config.config?.Labels ?? {};
    const index = buildIndex({
      manifests: platforms.map((p) => p.manifest),
      annotations: imageAnnotations(labels, variant),
    });
    await store.putManifest(index.descriptor, index.bytes, { root: false });
    builtIndex.set(variant.variant, index.descriptor.digest);
    const testReport =
      opts.test === false
        ? undefined
        : await testBeforeTagging(out, index.descriptor, variant, { ...opts, variantImage }, ctx);
    const tags = tagsOf(variant);
    if (opts.tag !== false)
      for (const tag of tags) await store.putManifest(index.descriptor, index.bytes, { tag, root: true });
    // In an --out layout each platform manifest is also tagged `TAG-ARCH`: tools that read one manifest per tag
    // (umoci) cannot choose a platform from an index.
    if (opts.out !== undefined && opts.tag !== false) {
      const manifests = platforms.map((p) => ({ descriptor: p.manifest, bytes: p.manifestBytes }));
      await tagPlatformManifests(store, variant.tags, manifests);
    }
    images.push({ variant, index: index.descriptor, tags, platforms, vex, ...(testReport && { testReport }) });
  }
  ctx.log.progress('');
  const document = buildRelevant(loaded.raw) as Record<string, unknown>;
  return { layout: layoutDir, definition: { path: loaded.path, digest: loaded.digest, document }, images };
}

/**
 * For a customization, what its base's build is given on each (variant, platform): the base's lock entry (which
 * the customization's lock must keep exactly), the base's variant and path files, and the definition path the
 * base's own build labels (beside the customization's, as the CLI computes both). Undefined for a plain definition.
 */
async function baseInputs(
  loaded: LoadedDefinition,
  opts: BuildOptions,
): Promise<((variant: string, locked: LockedPlatform) => BasePlatformInput) | undefined> {
  const ext = loaded.extends;
  if (ext === undefined) return undefined;
  const baseLock = await readBaseLock(loaded, opts.baseLock);
  if (ext.image !== undefined) return publishedBaseInputs(loaded, ext.image, baseLock);
  const { baseLock: _given, ...rest } = opts;
  const nested = await baseInputs(ext.base, {
    ...rest,
    ...(opts.definitionPath !== undefined && { definitionPath: baseDefinitionPath(loaded, opts.definitionPath) }),
  });
  const variants = expandVariants(ext.base.definition);
  const pathSources = await definitionPathSources(ext.base, variants);
  return (name, locked) => {
    const variant = variants.find((v) => v.variant === name) ?? fail('LOCK_STALE', `the base has no variant ${name}`);
    const baseLocked = baseLockedPlatform(loaded, baseLock, name, locked.platform);
    checkPinsKept(baseLocked.packages, locked.packages, `${loaded.definition.name} ${name} ${locked.platform}`);
    const sharedWith = name === 'runtime' ? undefined : baseLock.variants.runtime?.platforms[locked.platform]?.packages;
    return {
      variant,
      locked: baseLocked,
      definition: {
        digest: ext.base.digest,
        ...(opts.definitionPath !== undefined && { path: baseDefinitionPath(loaded, opts.definitionPath) }),
      },
      definitionFile:
        opts.definitionPath === undefined ? ext.base.path : baseDefinitionPath(loaded, opts.definitionPath),
      pathSources,
      reference: storeTagName(variant.name, variant.tags[0] ?? 'latest'),
      ...(sharedWith !== undefined && { sharedWith }),
      ...(opts.epoch !== undefined && { epoch: opts.epoch }),
      ...(nested !== undefined && { base: nested(name, baseLocked) }),
    };
  };
}

/**
 * A published base (`extends: {image, key}`) is built again from what its verified provenance records (lock,
 * epoch, definition path and digest, source, compression) and must come out as the pinned platform manifest, so
 * its layers are the published ones, digest for digest.
 */
async function publishedBaseInputs(
  loaded: LoadedDefinition,
  image: ImageBase,
  baseLock: Lockfile,
): Promise<(variant: string, locked: LockedPlatform) => BasePlatformInput> {
  const base = loaded.extends!.base;
  const variants = expandVariants(base.definition);
  const pathSources = await definitionPathSources(base, variants);
  return (name, locked) => {
    const variant = variants.find((v) => v.variant === name) ?? fail('LOCK_STALE', `the base has no variant ${name}`);
    const baseLocked = baseLockedPlatform(loaded, baseLock, name, locked.platform);
    checkPinsKept(baseLocked.packages, locked.packages, `${loaded.definition.name} ${name} ${locked.platform}`);
    const published = image.platforms[locked.platform];
    if (published === undefined) fail('LOCK_STALE', `the base ${image.name} has no ${locked.platform} image`);
    return {
      variant,
      locked: baseLocked,
      definition: image.definition,
      definitionFile: image.definition.path,
      pathSources,
      reference: image.name,
      epoch: published.epoch,
      expected: published.manifest as Digest,
      compression: image.compression,
      ...(image.source !== undefined && { source: image.source }),
    };
  };
}

/** The base definition's repository path, from the customization's: the two are in one repository. */
function baseDefinitionPath(loaded: LoadedDefinition, definitionPath: string): string {
  const base = loaded.extends?.base.path ?? loaded.path;
  return posix.normalize(posix.join(posix.dirname(definitionPath), relative(loaded.dir, base).split(sep).join('/')));
}

/** Tests the untagged index; a failure leaves nothing tagged (blobs stay for gc). */
async function testBeforeTagging(
  out: ImageEndpoint,
  index: Descriptor,
  variant: ImageVariant,
  opts: BuildOptions & Pick<TestImageOptions, 'variantImage'>,
  ctx: StageContext,
): Promise<TestReport> {
  ctx.log.progress(`${variant.name} ${variant.variant}: testing`);
  const source = imageSourceFrom(out.store, index.digest, {
    display: `${variant.name} (${variant.variant})`,
  });
  // A build of some platforms (--platform) is held to those platforms only.
  const expected = opts.platforms === undefined ? variant : { ...variant, platforms: opts.platforms };
  const report = await testImage(
    source,
    {
      variant: expected,
      host: opts.host ?? hostPlatform(),
      ...(opts.variantImage !== undefined && { variantImage: opts.variantImage }),
    },
    ctx,
  );
  if (reportFailed(report)) {
    fail('TEST_FAILED', `${variant.name} (${variant.variant}) failed its tests:\n${describeFailures(report)}`, {
      hint: 'nothing was tagged; fix the definition, or build with --no-test to skip testing (provenance records it)',
    });
  }
  return report;
}

function lockedPlatforms(lock: Lockfile, variant: ImageVariant, only: readonly string[] | undefined, defPath: string) {
  const locked = lock.variants[variant.variant];
  const hint = { hint: `run: ironclad lock ${defPath} --variant ${variant.variant}` };
  if (!locked) failStale(`the lock has no variant ${variant.variant}`, hint.hint);
  const wanted = only ?? variant.platforms;
  return wanted.map(
    (p) => locked.platforms[p] ?? failStale(`the lock has no ${p} platform for ${variant.variant}`, hint.hint),
  );
}

function failStale(message: string, hint: string): never {
  return fail('LOCK_STALE', message, { hint });
}
