import type { LockChange } from '../image/index.ts';

/** One package that moved in one variant, with the platforms it moved on. */
export interface PackageMove {
  readonly kind: 'upgraded' | 'downgraded' | 'rebuilt' | 'added' | 'removed';
  readonly name: string;
  /** The source package (what security advisories name). */
  readonly source: string;
  /** Version before; absent for an added package. */
  readonly from?: string;
  /** Version after; absent for a removed package. */
  readonly to?: string;
  /** The suite the new version comes from (e.g. `bookworm-security`); absent for a removed package. */
  readonly suite?: string;
  readonly platforms: readonly string[];
}

/**
 * Folds per-platform lock changes into one move per package and version pair, sorted by package name, so a
 * library updated on two platforms reads as one line. Definition and target changes carry no package and are
 * left to the caller.
 */
export function packageMoves(changes: readonly LockChange[]): PackageMove[] {
  const moves = new Map<string, { move: Omit<PackageMove, 'platforms'>; platforms: Set<string> }>();
  for (const c of changes) {
    const move = moveOf(c);
    if (move === undefined || c.kind === 'definition') continue;
    const key = `${move.kind}\0${move.name}\0${move.from ?? ''}\0${move.to ?? ''}`;
    const seen = moves.get(key) ?? { move, platforms: new Set<string>() };
    seen.platforms.add(c.platform);
    moves.set(key, seen);
  }
  return [...moves.values()]
    .map(({ move, platforms }) => ({ ...move, platforms: [...platforms].sort() }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
}

function moveOf(c: LockChange): Omit<PackageMove, 'platforms'> | undefined {
  switch (c.kind) {
    case 'definition':
    case 'target-added':
    case 'target-removed':
      return undefined;
    case 'added':
      return { kind: c.kind, name: c.pkg.name, source: c.pkg.source, to: c.pkg.version, suite: c.pkg.suite };
    case 'removed':
      return { kind: c.kind, name: c.pkg.name, source: c.pkg.source, from: c.pkg.version };
    case 'upgraded':
    case 'downgraded':
    case 'rebuilt':
      return {
        kind: c.kind,
        name: c.to.name,
        source: c.to.source,
        from: c.from.version,
        to: c.to.version,
        suite: c.to.suite,
      };
  }
}

/** A move as stored (history files and changelogs parse optional fields as possibly undefined). */
export type MoveLike = {
  readonly [K in keyof PackageMove]: PackageMove[K] | (K extends 'kind' | 'name' ? never : undefined);
};

/** One line for a move: `libssl3 3.0.15-1 → 3.0.16-1 (bookworm-security)`. */
export function describeMove(m: MoveLike): string {
  switch (m.kind) {
    case 'added':
      return `+ ${m.name} ${m.to} (${m.suite})`;
    case 'removed':
      return `- ${m.name} ${m.from}`;
    case 'rebuilt':
      return `~ ${m.name} ${m.to} rebuilt (${m.suite})`;
    default:
      return `${m.name} ${m.from} → ${m.to} (${m.suite})`;
  }
}
