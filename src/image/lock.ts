import { fail, isIroncladError, type StageContext } from '../core/index.ts';
import {
  type Archive,
  archiveUniverse,
  type Distro,
  debianArchitecture,
  type LoadDistroOptions,
  loadDistro,
  openArchive,
  type Resolution,
  resolveClosure,
  toLockedSuite,
} from '../debian/index.ts';
import {
  type ImageVariant,
  type LoadedDefinition,
  type LockedPackage,
  type LockedPlatform,
  type LockedVariant,
  type Lockfile,
  selectVariants,
} from '../definition/index.ts';
import { basePins, checkPinsKept, type PinsOf, readBaseLock } from './base-lock.ts';
import type { DerivedCache } from './derived-cache.ts';
import { readCachedResolution, resolutionCache, resolutionKey, writeCachedResolution } from './resolution-cache.ts';

export interface LockOptions {
  /** Platforms to lock; default: every platform of the definition. */
  readonly platforms?: readonly string[];
  /** `all` (default), `runtime`, or a variant name. */
  readonly variant?: string;
  /** Mirror, security mirror or snapshot overrides for the distro's repositories. */
  readonly distro?: LoadDistroOptions;
  /** A distro config given directly (a test archive, a custom mirror set); wins over `distro`. */
  readonly distroConfig?: Distro;
  /** Resolve even when a cached resolution exists for this archive state (needed for `--why`). */
  readonly fresh?: boolean;
  /** Accept an archive older than one already seen (`--allow-archive-rollback`). */
  readonly allowRollback?: boolean;
  /** Resolve against the archive index fetched last (from the download cache), with no network (`--offline`). */
  readonly offline?: boolean;
  /** Neither read nor write the resolution cache (`--no-cache`). */
  readonly noCache?: boolean;
  /** A previous lock of the same definition: variants and platforms not re-resolved are carried over. */
  readonly previous?: Lockfile;
  /** For a customization: its base's lock (default: the one beside the base definition). */
  readonly baseLock?: Lockfile;
}

/** One resolved (variant, platform) pair, kept for `--why` and reporting. */
export interface LockedTarget {
  readonly variant: string;
  readonly platform: string;
  /** The full resolution (for `--why`); absent when the lock came from the resolution cache. */
  readonly resolution?: Resolution;
  readonly locked: LockedPlatform;
}

export interface LockPlan {
  readonly lock: Lockfile;
  readonly targets: readonly LockedTarget[];
}

/**
 * Resolves a definition against its distro's verified archive: for each selected platform the archive is opened
 * once (InRelease verified, indices hash-checked), then each selected variant's closure is resolved.
 * Writes nothing; the caller decides whether to write or compare (`lock --check`).
 */
export async function planLock(loaded: LoadedDefinition, opts: LockOptions, ctx: StageContext): Promise<LockPlan> {
  const def = loaded.definition;
  const variants = selectVariants(def, opts.variant ?? 'all');
  const platforms = opts.platforms ?? def.platforms;
  const distro = opts.distroConfig ?? (await loadDistro(def.distro, opts.distro ?? {}));
  // A customization resolves with every package of its base pinned as the base's lock has it: the base's
  // packages do not move, so its layers are the base image's own.
  const pins = loaded.extends === undefined ? undefined : basePins(loaded, await readBaseLock(loaded, opts.baseLock));
  // Platforms are independent: their downloads and parses overlap.
  const perPlatform = await Promise.all(
    platforms.map((platform) => {
      const wanted = variants.filter((v) => opts.platforms !== undefined || v.platforms.includes(platform));
      const cache = resolutionCache({ home: ctx.home, log: ctx.log, enabled: opts.noCache !== true });
      const how = {
        fresh: opts.fresh === true,
        cache,
        allowRollback: opts.allowRollback === true,
        offline: opts.offline === true,
        ...(pins !== undefined && { pins }),
      };
      return lockPlatform(platform, wanted, distro, how, ctx);
    }),
  );
  const targets = perPlatform.flat();
  ctx.log.progress('');
  return { lock: assembleLock(loaded, targets, opts.previous), targets };
}

/**
 * Locks the variants for one platform. The InRelease files are verified first; when every variant's resolution
 * is cached for exactly that archive state, the indices are not even fetched.
 */
async function lockPlatform(
  platform: string,
  variants: readonly ImageVariant[],
  distro: Distro,
  how: {
    readonly fresh: boolean;
    readonly cache: DerivedCache;
    readonly allowRollback: boolean;
    readonly offline: boolean;
    readonly pins?: PinsOf;
  },
  ctx: StageContext,
): Promise<LockedTarget[]> {
  const architecture = debianArchitecture(platform);
  ctx.log.progress(`${platform}: verifying ${distro.name} archive`);
  const { allowRollback, offline } = how;
  const releases = await openArchive(distro, ctx, { architecture, indices: false, allowRollback, offline });
  const requestOf = (v: ImageVariant) => resolveRequest(v, how.pins?.(v.variant, platform));
  const keyOf = (archive: Archive, v: ImageVariant) =>
    resolutionKey({ archive, repositories: distro.repositories, request: requestOf(v), platform });
  if (!how.fresh) {
    const cached = await Promise.all(variants.map((v) => readCachedResolution(how.cache, keyOf(releases, v))));
    if (cached.every((c) => c !== undefined)) {
      ctx.log.debug(`${platform}: resolutions cached for this archive state`);
      return variants.map((v, i) => ({ variant: v.variant, platform, locked: cached[i]! }));
    }
  }
  ctx.log.progress(`${platform}: loading ${distro.name} package indices`);
  const archive = await openArchive(distro, ctx, { architecture, allowRollback, offline });
  const universe = archiveUniverse(archive, distro.repositories);
  const out: LockedTarget[] = [];
  for (const variant of variants) {
    const pinned = how.pins?.(variant.variant, platform);
    const resolution = resolvePinned(requestOf(variant), universe, pinned);
    const locked = lockedPlatform(platform, archive, resolution);
    if (pinned !== undefined) checkPinsKept(pinned, locked.packages, `${variant.variant} ${platform}`);
    await writeCachedResolution(how.cache, keyOf(archive, variant), locked);
    out.push({ variant: variant.variant, platform, resolution, locked });
  }
  return out;
}

function resolveRequest(
  variant: ImageVariant,
  pinned?: readonly LockedPackage[],
): { packages: string[]; exclude: string[] } {
  return {
    packages: [
      ...(pinned ?? []).map((p) => `${p.name}=${p.version}`),
      ...variant.packages.map((p) => (p.version === undefined ? p.name : `${p.name}=${p.version}`)),
    ],
    exclude: [...variant.exclude],
  };
}

/** The closure; a base pin the archive no longer has means the base's lock is behind the archive. */
function resolvePinned(
  request: { packages: string[]; exclude: string[] },
  universe: Parameters<typeof resolveClosure>[1],
  pinned: readonly LockedPackage[] | undefined,
): Resolution {
  try {
    return resolveClosure(request, universe);
  } catch (err) {
    if (pinned === undefined || !isIroncladError(err, 'UNSATISFIABLE')) throw err;
    const missing = pinned.find((p) => (err as Error).message.startsWith(`${p.name}=${p.version}:`));
    if (missing === undefined) throw err;
    return fail(
      'LOCK_STALE',
      `the base's lock pins ${missing.name} ${missing.version}, which the archive no longer has`,
      {
        hint: 'lock the base first (or run ironclad update, which re-locks a base before what extends it)',
        cause: err,
      },
    );
  }
}

function lockedPlatform(platform: string, archive: Archive, resolution: Resolution): LockedPlatform {
  return {
    platform,
    architecture: archive.architecture,
    // Every suite is recorded, not only those a package came from: it pins the archive state the closure saw.
    suites: archive.suites.map(toLockedSuite),
    packages: resolution.packages.map(
      (p): LockedPackage => ({
        name: p.name,
        version: p.version,
        architecture: p.architecture,
        source: p.source,
        sourceVersion: p.sourceVersion,
        suite: p.suite,
        filename: p.filename,
        size: p.size,
        sha256: p.sha256,
      }),
    ),
    excluded: [...new Set(resolution.excluded.map((x) => x.name))].sort(),
  };
}

function assembleLock(loaded: LoadedDefinition, targets: readonly LockedTarget[], previous?: Lockfile): Lockfile {
  const carried = previous && previous.definitionDigest === loaded.digest ? previous.variants : {};
  const variants: Record<string, { platforms: Record<string, LockedPlatform> }> = {};
  for (const [name, v] of Object.entries(carried)) variants[name] = { platforms: { ...v.platforms } };
  for (const t of targets) {
    const v = variants[t.variant] ?? { platforms: {} };
    v.platforms[t.platform] = t.locked;
    variants[t.variant] = v;
  }
  return {
    lockfileVersion: 1,
    definitionDigest: loaded.digest,
    name: loaded.definition.name,
    distro: loaded.definition.distro,
    variants: variants as Record<string, LockedVariant>,
  };
}
