import { existsSync } from 'node:fs';
import { isIroncladError, type StageContext } from '../core/index.ts';
import { compareVersions, type Distro, type LoadDistroOptions, loadDistro } from '../debian/index.ts';
import {
  type ImageVariant,
  isLockStale,
  type LoadedDefinition,
  type Lockfile,
  readLockfile,
  selectVariants,
} from '../definition/index.ts';
import { diffLocks, type LockChange, planLock } from '../image/index.ts';
import { type Descriptor, LayoutStore, storeTagName } from '../oci/index.ts';
import { openVulnDb, type VulnDb } from '../vuln/index.ts';
import { type PackageMove, packageMoves } from './moves.ts';
import { type VulnDelta, vulnDelta } from './vulns.ts';

export interface UpdatePlanOptions {
  /** `all` (default), `runtime`, or a variant name: which variants are re-locked and rebuilt. */
  readonly variant?: string;
  /** Mirror, security mirror or snapshot overrides, or another distros folder. */
  readonly distro?: LoadDistroOptions;
  /** A distro config given directly (a test archive); wins over `distro`. */
  readonly distroConfig?: Distro;
  /** Accept an archive older than one already seen (`--allow-archive-rollback`). */
  readonly allowRollback?: boolean;
  /** Re-lock against the archive index fetched last, without network (`status --offline`). */
  readonly offline?: boolean;
}

/** Why a variant is rebuilt; undefined when it is left as it is. */
export type RebuildReason = 'lock-changed' | 'not-built';

/** One variant of a planned image: what moved in it and whether it is rebuilt. */
export interface PlannedVariant {
  readonly variant: ImageVariant;
  /** The platforms locked (and built) for it. */
  readonly platforms: readonly string[];
  /** Its tags in the local store (`name:tag`), the first one being the one history follows. */
  readonly tags: readonly string[];
  /** What the first tag points at now, when it exists. */
  readonly current?: Descriptor;
  readonly rebuild?: RebuildReason;
  readonly moves: readonly PackageMove[];
  /** Known vulnerabilities the moves fix or introduce (absent without a vulnerability database). */
  readonly vulns?: VulnDelta;
}

/** One definition re-locked: the lock it has, the one it would get, and what differs. */
export interface PlannedImage {
  readonly loaded: LoadedDefinition;
  readonly previous?: Lockfile;
  readonly lock: Lockfile;
  readonly changes: readonly LockChange[];
  /** The lock file is rewritten (a package or the definition changed; re-signed suites alone do not count). */
  readonly lockChanged: boolean;
  readonly variants: readonly PlannedVariant[];
}

/**
 * Re-locks each definition against its verified archive (the lock stage, variant by variant, on the platforms each
 * variant is locked for) and decides what an update does: which packages moved, which vulnerabilities that fixes
 * or introduces, and which variants are rebuilt (their lock changed, or their tag is not in the local store).
 * Writes nothing but the caches the lock stage keeps.
 */
export async function planUpdate(
  definitions: readonly LoadedDefinition[],
  opts: UpdatePlanOptions,
  ctx: StageContext,
): Promise<PlannedImage[]> {
  const store = await LayoutStore.open(ctx.home.store, { create: true });
  // Without a database the plan still says what moved; it cannot say which vulnerabilities that touches.
  const db = existsSync(ctx.home.vulnDb) ? openVulnDb(ctx.home) : undefined;
  try {
    const out: PlannedImage[] = [];
    // A base is re-locked before what extends it, and the customization is locked against the base's new lock:
    // a package that moved in the base moves in the customization too (update cascade, docs/customization.md).
    const locks = new Map<string, Lockfile>();
    for (const loaded of inDependencyOrder(definitions)) {
      const basePath = localBasePath(loaded);
      const baseLock = basePath === undefined ? undefined : locks.get(basePath);
      const planned = await planImage(loaded, { store, db }, { ...opts, ...(baseLock && { baseLock }) }, ctx);
      locks.set(loaded.path, planned.lock);
      out.push(planned);
    }
    return out;
  } finally {
    db?.close();
  }
}

async function planImage(
  loaded: LoadedDefinition,
  { store, db }: { readonly store: LayoutStore; readonly db: VulnDb | undefined },
  opts: UpdatePlanOptions & { readonly baseLock?: Lockfile },
  ctx: StageContext,
): Promise<PlannedImage> {
  ctx.log.progress(`${loaded.definition.name}: re-locking`);
  const previous = await readLockfile(loaded.dir).catch((err: unknown) => {
    if (isIroncladError(err, 'LOCK_MISSING')) return undefined;
    throw err;
  });
  const variants = selectVariants(loaded.definition, opts.variant ?? 'all');
  const distroConfig = opts.distroConfig ?? (await loadDistro(loaded.definition.distro, opts.distro ?? {}));
  let lock = previous;
  for (const variant of variants) {
    const plan = await planLock(
      loaded,
      {
        variant: variant.variant,
        platforms: lockedPlatformsOf(previous, loaded, variant),
        distroConfig,
        allowRollback: opts.allowRollback === true,
        offline: opts.offline === true,
        ...(lock !== undefined && { previous: lock }),
        ...(opts.baseLock !== undefined && { baseLock: opts.baseLock }),
      },
      ctx,
    );
    lock = plan.lock;
  }
  if (lock === undefined) throw new Error('unreachable: a definition has at least its runtime variant');
  const changes = previous === undefined ? [] : diffLocks(previous, lock, compareVersions);
  const lockChanged = previous === undefined || changes.length > 0;
  const planned: PlannedVariant[] = [];
  for (const variant of variants) {
    const tags = variant.tags.map((t) => storeTagName(variant.name, t));
    const current = tags[0] === undefined ? undefined : await store.resolveTag(tags[0]);
    const mine = changes.filter((c) => c.kind === 'definition' || c.variant === variant.variant);
    const reason: RebuildReason | undefined =
      previous === undefined || mine.length > 0 ? 'lock-changed' : current === undefined ? 'not-built' : undefined;
    const moves = packageMoves(mine);
    const vulns =
      moves.length === 0 || db === undefined ? undefined : vulnDelta(db, previous, lock, variant.variant, distroConfig);
    planned.push({
      variant,
      platforms: Object.keys(lock.variants[variant.variant]?.platforms ?? {}).sort(),
      tags,
      moves,
      ...(current !== undefined && { current }),
      ...(reason !== undefined && { rebuild: reason }),
      ...(vulns !== undefined && { vulns }),
    });
  }
  return { loaded, ...(previous !== undefined && { previous }), lock, changes, lockChanged, variants: planned };
}

/**
 * The definitions with every base before the customizations that extend it (a stable order otherwise): the order
 * an update re-locks and rebuilds them in.
 */
export function inDependencyOrder(definitions: readonly LoadedDefinition[]): LoadedDefinition[] {
  const byPath = new Map(definitions.map((d) => [d.path, d]));
  const out: LoadedDefinition[] = [];
  const placed = new Set<string>();
  const place = (d: LoadedDefinition): void => {
    if (placed.has(d.path)) return;
    placed.add(d.path);
    const basePath = localBasePath(d);
    const base = basePath === undefined ? undefined : byPath.get(basePath);
    if (base !== undefined) place(base);
    out.push(d);
  };
  for (const d of definitions) place(d);
  return out;
}

/**
 * The path of the base definition a customization is re-locked and rebuilt after, or undefined. A published base
 * (`extends: {image: REF@sha256:..., key}`) is pinned by digest: it does not move with an update, so the
 * customization waits for nothing, keeps the base's pins as its verified provenance records them, and re-locks
 * only what it adds.
 */
export function localBasePath(loaded: LoadedDefinition): string | undefined {
  return loaded.extends === undefined || loaded.extends.image !== undefined ? undefined : loaded.extends.base.path;
}

/** The platforms a variant is locked for (kept as they are), or the definition's when the lock is stale or new. */
function lockedPlatformsOf(
  previous: Lockfile | undefined,
  loaded: LoadedDefinition,
  variant: ImageVariant,
): readonly string[] {
  const locked = previous?.variants[variant.variant]?.platforms;
  if (previous === undefined || isLockStale(previous, loaded) || locked === undefined) return variant.platforms;
  return Object.keys(locked).sort();
}
