import { fail, isIroncladError } from '../core/index.ts';
import {
  assertLockFresh,
  type ImageBase,
  type LoadedDefinition,
  type LockedPackage,
  type LockedPlatform,
  type Lockfile,
  readLockfile,
} from '../definition/index.ts';

/*
 * A customization (docs/customization.md) is locked and built against its base's lock: every package the base
 * ships is pinned at the base's version, so the base's layers are the base image's own, byte for byte.
 */

/** The base's packages for a variant on a platform, as the base's lock has them. */
export type PinsOf = (variant: string, platform: string) => readonly LockedPackage[];

/**
 * The base's lock: `given` (an update re-locking the base first passes its new lock), else the one beside the base
 * definition, which must be fresh. Throws LOCK_MISSING or LOCK_STALE naming the base and the command to run.
 */
export async function readBaseLock(loaded: LoadedDefinition, given?: Lockfile): Promise<Lockfile> {
  const base = loaded.extends?.base;
  if (base === undefined) return fail('INVALID_INPUT', `${loaded.definition.name} extends no base`);
  const image = loaded.extends?.image;
  if (image !== undefined && given === undefined) return imageBaseLock(image, base);
  const lock =
    given ??
    (await readLockfile(base.dir).catch((err: unknown) => {
      if (!isIroncladError(err, 'LOCK_MISSING')) throw err;
      return fail('LOCK_MISSING', `${loaded.definition.name} extends ${base.definition.name}, which has no lock`, {
        hint: `lock the base first: ironclad lock ${base.dir}`,
        cause: err,
      });
    }));
  assertLockFresh(lock, base);
  return lock;
}

/** A published base's lock, as its verified provenance records it: its one variant on each of its platforms. */
function imageBaseLock(image: ImageBase, base: LoadedDefinition): Lockfile {
  const platforms = Object.fromEntries(Object.entries(image.platforms).map(([p, { locked }]) => [p, locked]));
  return {
    lockfileVersion: 1,
    definitionDigest: base.digest,
    name: base.definition.name,
    distro: base.definition.distro,
    variants: { [image.variant]: { platforms } },
  };
}

/** The pins of every (variant, platform) of the customization; one the base's lock lacks is LOCK_STALE. */
export function basePins(loaded: LoadedDefinition, baseLock: Lockfile): PinsOf {
  return (variant, platform) => baseLockedPlatform(loaded, baseLock, variant, platform).packages;
}

/** The base's lock entry for a variant on a platform. */
export function baseLockedPlatform(
  loaded: LoadedDefinition,
  baseLock: Lockfile,
  variant: string,
  platform: string,
): LockedPlatform {
  const base = loaded.extends?.base;
  const locked = baseLock.variants[variant]?.platforms[platform];
  if (base === undefined || locked === undefined) {
    return fail('LOCK_STALE', `the base ${baseLock.name} has no ${variant} lock for ${platform}`, {
      hint: `lock it first: ironclad lock ${base?.dir ?? baseLock.name} --variant ${variant} --platform ${platform}`,
    });
  }
  return locked;
}

/**
 * Checks that the customization's packages keep every base package exactly (same version and .deb digest):
 * otherwise its base layers would not be the base image's. Throws LOCK_STALE with the command that re-locks.
 */
export function checkPinsKept(pins: readonly LockedPackage[], packages: readonly LockedPackage[], where: string): void {
  const mine = new Map(packages.map((p) => [p.name, p]));
  const moved = pins.filter((p) => mine.get(p.name)?.sha256 !== p.sha256);
  if (moved.length === 0) return;
  const names = moved.map((p) => `${p.name} ${p.version}`).join(', ');
  fail('LOCK_STALE', `${where}: the lock does not have the base's ${names}`, {
    hint: "the base's lock moved on: re-lock this customization (ironclad lock), or run ironclad update",
  });
}
