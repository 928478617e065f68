import { availableParallelism } from 'node:os';
import {
  ERROR_CODES,
  type IroncladError,
  isIroncladError,
  mapLimit,
  prefixedLogger,
  type StageContext,
} from '../core/index.ts';
import { forgetParsedArchives } from '../debian/index.ts';
import { type LoadedDefinition, writeLockfile } from '../definition/index.ts';
import { type BuildResult, buildImages } from '../image/index.ts';
import { type BlobStore, type Descriptor, imageSourceFrom, LayoutStore, layoutEndpoint } from '../oci/index.ts';
import { attachChangelog, changelogOf } from './changelog.ts';
import { type HistoryEntry, lastMove, readHistory, recordMove } from './history.ts';
import { localBasePath, type PlannedImage, type PlannedVariant } from './plan.ts';

type BuiltImage = BuildResult['images'][number];

export interface UpdateRunOptions {
  /** Test each rebuilt image before its tags move (the build's test stage); default true. */
  readonly test?: boolean;
  /**
   * How many images are updated at a time (`--jobs`); default the number of cores. Layers the images share are
   * compressed once (InFlightLayers), and a customization waits for its base.
   */
  readonly jobs?: number;
  /** Neither read nor write the derived caches. */
  readonly noCache?: boolean;
  /** Distro config overrides, as the plan was made with. */
  readonly distro?: Parameters<typeof buildImages>[2]['distro'];
  readonly distroConfig?: Parameters<typeof buildImages>[2]['distroConfig'];
  /** The definition's repository-relative path, labelled on the image and recorded in provenance. */
  definitionPath?(loaded: LoadedDefinition): string;
  /**
   * Called with each build before anything is published or tagged: signing and attestations. `ctx` is the
   * image's own (its log lines name the image).
   */
  afterBuild?(result: BuildResult, ctx: StageContext): Promise<void>;
  /** Called with each rebuilt image (untagged, referrers attached) before its history and tags move: a push. */
  publish?(image: BuiltImage, ctx: StageContext): Promise<void>;
}

type VariantRunOptions = UpdateRunOptions & {
  /** For a customization: what this update did to the same variant of its base. */
  readonly baseMove?: VariantOutcome;
};

/** What happened to one variant. */
export interface VariantOutcome {
  readonly planned: PlannedVariant;
  readonly status: 'unchanged' | 'updated' | 'failed';
  /** The index the tags point at now (updated) and the one they pointed at before. */
  readonly digest?: string;
  readonly previous?: string | null;
  /** Layers of the new image found in the one it replaced (by digest), and those created. */
  readonly layers?: { readonly reused: number; readonly created: number };
  /** The changelog referrer's digest. */
  readonly changelog?: string;
  /** For a customization rebuilt on a base this update moved: the base's tag and its old and new digests. */
  readonly base?: HistoryEntry['base'];
}

export interface ImageOutcome {
  readonly planned: PlannedImage;
  readonly variants: readonly VariantOutcome[];
  /** The lock file was rewritten. */
  readonly lockWritten: boolean;
  /** A test or policy failure (exit class 1): this image was left as it was; the others went on. */
  readonly failure?: { readonly code: string; readonly message: string };
}

/**
 * Carries out a plan, up to `jobs` images at a time. For each variant to rebuild: build from the new lock
 * (untagged), test, sign (`afterBuild`), attach the changelog, publish, record the move in the history, then move
 * the tags; when every variant is done, write the lock. Each step is atomic and each later step only follows an
 * earlier one, so an interrupted update leaves every lock, tag and history entry old or new, and running it again
 * (same plan) finishes the work: the rebuild gives the same digest, the history records a move once, and the
 * changelog is the same referrer. A customization starts when its base is done. A test or policy failure leaves
 * that image as it was and the others go on; anything else (trust, network) starts no further image, lets those
 * being updated finish, and is thrown. Outcomes come in the plan's order.
 */
export async function runUpdate(
  plan: readonly PlannedImage[],
  opts: UpdateRunOptions,
  ctx: StageContext,
): Promise<ImageOutcome[]> {
  // Nothing is locked from here on: the indices parsed for the plan would only weigh on the builds' memory and
  // garbage collection (archive-client.ts forgetParsedArchives).
  forgetParsedArchives();
  const store = await LayoutStore.open(ctx.home.store, { create: true });
  const started = new Map<string, Promise<ImageOutcome>>();
  const outcomes = new Map<PlannedImage, ImageOutcome>();
  // The plan puts bases before what extends them, and images are started in its order: a base has started by the
  // time its customization waits for it, so a slot spent waiting never holds up the base it waits for.
  await mapLimit(plan, opts.jobs ?? availableParallelism(), async (image) => {
    const basePath = localBasePath(image.loaded);
    const baseDone = basePath === undefined ? undefined : started.get(basePath);
    const run = (async () => {
      const base = await baseDone;
      if (base?.failure !== undefined) return skippedForBase(image, base);
      // Images built at once write progress at once: each line names the image it is about.
      const log = prefixedLogger(ctx.log, `[${image.loaded.definition.name}] `);
      return updateImage(image, base, store, opts, { ...ctx, log });
    })();
    started.set(image.loaded.path, run);
    outcomes.set(image, await run);
  });
  return plan.map((image) => outcomes.get(image) ?? failUnreachable(image));
}

function failUnreachable(image: PlannedImage): never {
  throw new Error(`unreachable: no outcome for ${image.loaded.definition.name}`);
}

/** Updates every variant of one image, then writes its lock; a test or policy failure is its outcome. */
async function updateImage(
  image: PlannedImage,
  base: ImageOutcome | undefined,
  store: LayoutStore,
  opts: UpdateRunOptions,
  ctx: StageContext,
): Promise<ImageOutcome> {
  const done: VariantOutcome[] = [];
  try {
    for (const v of image.variants) {
      const baseMove = base?.variants.find((b) => b.planned.variant.variant === v.variant.variant);
      done.push(await updateVariant(image, v, store, { ...opts, ...(baseMove && { baseMove }) }, ctx));
    }
    if (image.lockChanged) await writeLockfile(image.loaded.dir, image.lock);
    return { planned: image, variants: done, lockWritten: image.lockChanged };
  } catch (err) {
    if (!isIroncladError(err) || ERROR_CODES[(err as IroncladError).code] !== 1) throw err;
    const failed = image.variants.slice(done.length).map((planned) => ({ planned, status: 'failed' as const }));
    const failure = { code: (err as IroncladError).code, message: (err as IroncladError).message };
    return { planned: image, variants: [...done, ...failed], lockWritten: false, failure };
  }
}

/** A customization whose base failed is left as it was: its new lock pins what the base did not get. */
function skippedForBase(image: PlannedImage, base: ImageOutcome): ImageOutcome {
  const name = base.planned.loaded.definition.name;
  return {
    planned: image,
    variants: image.variants.map((planned) => ({ planned, status: planned.rebuild ? 'failed' : 'unchanged' })),
    lockWritten: false,
    failure: { code: base.failure?.code ?? 'TEST_FAILED', message: `its base ${name} was not updated` },
  };
}

async function updateVariant(
  image: PlannedImage,
  v: PlannedVariant,
  store: LayoutStore,
  opts: VariantRunOptions,
  ctx: StageContext,
): Promise<VariantOutcome> {
  if (v.rebuild === undefined) return { planned: v, status: 'unchanged' };
  const { loaded } = image;
  const name = v.variant.name;
  ctx.log.progress(`${name} (${v.variant.variant}): building`);
  const result = await buildImages(
    loaded,
    image.lock,
    {
      variant: v.variant.variant,
      platforms: v.platforms,
      tag: false,
      test: opts.test !== false,
      noCache: opts.noCache === true,
      ...(opts.definitionPath !== undefined && { definitionPath: opts.definitionPath(loaded) }),
      ...(opts.distro !== undefined && { distro: opts.distro }),
      ...(opts.distroConfig !== undefined && { distroConfig: opts.distroConfig }),
    },
    ctx,
  );
  const built = result.images[0];
  if (built === undefined) throw new Error(`unreachable: building ${name} gave no image`);
  await opts.afterBuild?.(result, ctx);
  const endpoint = layoutEndpoint(store.dir);
  // On a rerun the tags may already point at this image: the move to record is the one already recorded.
  const last = lastMove(await readHistory(ctx.home, name), v.tags[0] ?? '');
  const previous = last?.digest === built.index.digest ? last.previous : (v.current?.digest ?? null);
  const move: Omit<HistoryEntry, 'at' | 'changelog'> = {
    tags: [...v.tags],
    variant: v.variant.variant,
    digest: built.index.digest,
    previous,
    reason: v.rebuild,
    packages: v.moves.map((m) => ({ ...m, platforms: [...m.platforms] })),
    ...(v.vulns !== undefined && { fixed: [...v.vulns.fixed], introduced: [...v.vulns.introduced] }),
    ...baseMoveOf(opts.baseMove),
  };
  const changelog = await attachChangelog(endpoint.referrers, built.index, changelogOf(name, move));
  await opts.publish?.(built, ctx);
  const pins = [...(v.current !== undefined && v.current.digest === previous ? [v.current] : []), built.index];
  await recordMove(ctx.home, store, name, { ...move, at: ctx.now().toISOString(), changelog: changelog.digest }, pins);
  for (const tag of built.tags) await endpoint.tag(tag, built.index);
  const layers = await layerReuse(endpoint.store, previous, built);
  return {
    planned: v,
    status: 'updated',
    digest: built.index.digest,
    previous,
    layers,
    changelog: changelog.digest,
    ...baseMoveOf(opts.baseMove),
  };
}

/** The base's move, for the history and changelog of a customization rebuilt on it. */
function baseMoveOf(b: VariantOutcome | undefined): Pick<HistoryEntry, 'base'> {
  if (b?.status !== 'updated' || b.digest === undefined) return {};
  return { base: { image: b.planned.tags[0] ?? '', from: b.previous ?? null, to: b.digest } };
}

function notFoundAs<T>(value: T): (err: unknown) => T {
  return (err) => {
    if (isIroncladError(err, 'NOT_FOUND')) return value;
    throw err;
  };
}

/** How many of the new image's layers the image it replaces already had (same digest), and how many are new. */
async function layerReuse(
  blobs: BlobStore,
  previous: string | null,
  built: BuiltImage,
): Promise<{ reused: number; created: number }> {
  const layersOf = async (digest: string): Promise<Descriptor[]> => {
    const out: Descriptor[] = [];
    for (const m of await imageSourceFrom(blobs, digest).manifests()) {
      out.push(...(await imageSourceFrom(blobs, m.digest).resolve()).manifest().layers);
    }
    return out;
  };
  // The image replaced may be gone from the store (removed with --forget-history): then every layer counts as new.
  const before = previous === null ? [] : await layersOf(previous).catch(notFoundAs([]));
  const old = new Set(before.map((l) => l.digest));
  const now = await layersOf(built.index.digest);
  const reused = now.filter((l) => old.has(l.digest)).length;
  return { reused, created: now.length - reused };
}
