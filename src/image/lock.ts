import type { StageContext } from '../core/index.ts';
import {
  type Archive,
  type Distro,
  buildUniverse,
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

export interface LockOptions {
  /** Platforms to lock; default: every platform of the definition. */
  readonly platforms?: readonly string[];
  /** `all` (default), `runtime`, or a variant name. */
  readonly variant?: string;
  /** Mirror, security mirror or snapshot overrides for the distro's repositories. */
  readonly distro?: LoadDistroOptions;
  /** A distro config given directly (a test archive, a custom mirror set); wins over `distro`. */
  readonly distroConfig?: Distro;
  /** A previous lock of the same definition: variants and platforms not re-resolved are carried over. */
  readonly previous?: Lockfile;
}

/** One resolved (variant, platform) pair, kept for `--why` and reporting. */
export interface LockedTarget {
  readonly variant: string;
  readonly platform: string;
  readonly resolution: Resolution;
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
  const targets: LockedTarget[] = [];
  for (const platform of platforms) {
    const architecture = debianArchitecture(platform);
    ctx.log.progress(`${platform}: opening ${distro.name} archive`);
    const archive = await openArchive(distro, ctx, { architecture });
    const universe = buildUniverse(archive.packages, {
      architecture,
      suites: archive.suites.map((s) => s.suite),
    });
    for (const variant of variants) {
      if (!variant.platforms.includes(platform) && opts.platforms === undefined) continue;
      const resolution = resolveClosure(resolveRequest(variant), universe);
      targets.push({
        variant: variant.variant,
        platform,
        resolution,
        locked: lockedPlatform(platform, archive, resolution),
      });
    }
  }
  ctx.log.progress('');
  return { lock: assembleLock(loaded, targets, opts.previous), targets };
}

function resolveRequest(variant: ImageVariant): { packages: string[]; exclude: string[] } {
  return {
    packages: variant.packages.map((p) => (p.version === undefined ? p.name : `${p.name}=${p.version}`)),
    exclude: [...variant.exclude],
  };
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
