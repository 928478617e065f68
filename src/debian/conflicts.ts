import { formatRelation } from './relations.ts';
import type { PackageEntry, Relation } from './types.ts';
import type { Provider } from './universe.ts';
import { versionSatisfies } from './universe.ts';

/** Two selected (or about to be selected) packages that cannot be installed together. */
export interface Clash {
  /** The package declaring the relation. */
  readonly declarer: PackageEntry;
  readonly kind: 'conflicts with' | 'breaks';
  readonly relation: Relation;
  /** The package it hits. */
  readonly target: PackageEntry;
}

/** Renders a clash for messages: `a 1.0 conflicts with b 2.0 (b)`. */
export function describeClash(c: Clash): string {
  const { declarer: d, target: t } = c;
  return `${d.name} ${d.version} ${c.kind} ${t.name} ${t.version} (${formatRelation(c.relation)})`;
}

/**
 * Conflicts and Breaks among a growing set of selected packages (Debian Policy §7.3, §7.4, §7.6.2).
 * Architecture qualifiers never narrow a conflict (`:any` there means any architecture). A relation on a virtual
 * name hits every other package providing it (versioned relations only versioned provides), but never the
 * declaring package itself, so a package may conflict with what it provides.
 */
export class ConflictIndex {
  /** Relations of selected packages, by the name they target. */
  private readonly against = new Map<string, { declarer: PackageEntry; kind: Clash['kind']; relation: Relation }[]>();

  constructor(
    private readonly selected: ReadonlyMap<string, PackageEntry>,
    private readonly providers: ReadonlyMap<string, readonly Provider[]>,
  ) {}

  /** Records the Conflicts and Breaks of a package that has just been selected. */
  add(e: PackageEntry): void {
    for (const [kind, rels] of [
      ['conflicts with', e.conflicts],
      ['breaks', e.breaks],
    ] as const) {
      for (const relation of rels) {
        const list = this.against.get(relation.name);
        if (list === undefined) this.against.set(relation.name, [{ declarer: e, kind, relation }]);
        else list.push({ declarer: e, kind, relation });
      }
    }
  }

  /** The first clash between `c` and a selected package other than `c`, in either direction. */
  clash(c: PackageEntry): Clash | undefined {
    for (const hit of this.against.get(c.name) ?? []) {
      if (hit.declarer !== c && this.isSelected(hit.declarer) && versionSatisfies(c.version, hit.relation)) {
        return { ...hit, target: c };
      }
    }
    for (const p of c.provides) {
      for (const hit of this.against.get(p.name) ?? []) {
        if (hit.declarer === c || !this.isSelected(hit.declarer)) continue;
        if (providedVersionHits(p.version, hit.relation)) return { ...hit, target: c };
      }
    }
    for (const [kind, rels] of [
      ['conflicts with', c.conflicts],
      ['breaks', c.breaks],
    ] as const) {
      for (const relation of rels) {
        const target = this.selectedTarget(c, relation);
        if (target !== undefined) return { declarer: c, kind, relation, target };
      }
    }
    return undefined;
  }

  private isSelected(e: PackageEntry): boolean {
    return this.selected.get(e.name) === e;
  }

  private selectedTarget(c: PackageEntry, rel: Relation): PackageEntry | undefined {
    const real = this.selected.get(rel.name);
    if (real !== undefined && real.name !== c.name && versionSatisfies(real.version, rel)) return real;
    for (const p of this.providers.get(rel.name) ?? []) {
      if (p.entry.name === c.name || !this.isSelected(p.entry)) continue;
      if (providedVersionHits(p.version, rel)) return p.entry;
    }
    return undefined;
  }
}

function providedVersionHits(provided: string | undefined, rel: Relation): boolean {
  return rel.op === undefined || (provided !== undefined && versionSatisfies(provided, rel));
}
