import type { LockedPackage, Lockfile } from '../definition/index.ts';

/** One difference between a committed lock and a fresh resolution. */
export type LockChange =
  | { readonly kind: 'definition'; readonly detail: string }
  | { readonly kind: 'target-added' | 'target-removed'; readonly variant: string; readonly platform: string }
  | {
      readonly kind: 'added' | 'removed';
      readonly variant: string;
      readonly platform: string;
      readonly pkg: LockedPackage;
    }
  | {
      readonly kind: 'upgraded' | 'downgraded' | 'rebuilt';
      readonly variant: string;
      readonly platform: string;
      readonly from: LockedPackage;
      readonly to: LockedPackage;
    };

/**
 * What changed from `old` to `fresh`: the definition digest, and per (variant, platform) the package set.
 * A package whose version is equal but whose sha256 differs is `rebuilt` (binNMU or archive rebuild).
 * Suite InRelease digests alone do not count: the archive re-signs daily without changing what we ship.
 * `compare` orders two versions (dpkg semantics), injected to keep this module pure.
 */
export function diffLocks(old: Lockfile, fresh: Lockfile, compare: (a: string, b: string) => number): LockChange[] {
  const changes: LockChange[] = [];
  if (old.definitionDigest !== fresh.definitionDigest) {
    changes.push({
      kind: 'definition',
      detail: `definition digest ${old.definitionDigest} → ${fresh.definitionDigest}`,
    });
  }
  const keys = (l: Lockfile) =>
    Object.entries(l.variants).flatMap(([variant, v]) =>
      Object.keys(v.platforms).map((platform) => `${variant} ${platform}`),
    );
  const all = [...new Set([...keys(old), ...keys(fresh)])].sort();
  for (const key of all) {
    const [variant = '', platform = ''] = key.split(' ');
    const a = old.variants[variant]?.platforms[platform];
    const b = fresh.variants[variant]?.platforms[platform];
    if (!a || !b) {
      changes.push({ kind: a ? 'target-removed' : 'target-added', variant, platform });
      continue;
    }
    const before = new Map(a.packages.map((p) => [`${p.name}:${p.architecture}`, p]));
    const after = new Map(b.packages.map((p) => [`${p.name}:${p.architecture}`, p]));
    for (const [k, p] of before) if (!after.has(k)) changes.push({ kind: 'removed', variant, platform, pkg: p });
    for (const [k, to] of after) {
      const from = before.get(k);
      if (!from) {
        changes.push({ kind: 'added', variant, platform, pkg: to });
        continue;
      }
      const order = compare(from.version, to.version);
      if (order < 0) changes.push({ kind: 'upgraded', variant, platform, from, to });
      else if (order > 0) changes.push({ kind: 'downgraded', variant, platform, from, to });
      else if (from.sha256 !== to.sha256) changes.push({ kind: 'rebuilt', variant, platform, from, to });
    }
  }
  return changes;
}

/** One line per change, for `lock --check` output. */
export function describeLockChange(c: LockChange): string {
  switch (c.kind) {
    case 'definition':
      return `definition changed (${c.detail})`;
    case 'target-added':
      return `${c.variant} ${c.platform}: not in the lock yet`;
    case 'target-removed':
      return `${c.variant} ${c.platform}: no longer in the definition`;
    case 'added':
      return `${c.variant} ${c.platform}: + ${c.pkg.name} ${c.pkg.version}`;
    case 'removed':
      return `${c.variant} ${c.platform}: - ${c.pkg.name} ${c.pkg.version}`;
    case 'upgraded':
      return `${c.variant} ${c.platform}: ↑ ${c.to.name} ${c.from.version} → ${c.to.version} (${c.to.suite})`;
    case 'downgraded':
      return `${c.variant} ${c.platform}: ↓ ${c.to.name} ${c.from.version} → ${c.to.version}`;
    case 'rebuilt':
      return `${c.variant} ${c.platform}: ~ ${c.to.name} ${c.to.version} rebuilt (sha256 changed)`;
  }
}
