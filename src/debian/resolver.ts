import { fail, suggestNames } from '../core/index.ts';
import { type Clash, ConflictIndex, describeClash } from './conflicts.ts';
import { formatDependencyGroup, formatRelation } from './relations.ts';
import type { DependencyGroup, PackageEntry, Relation } from './types.ts';
import { archSatisfies, compareProviders, provideSatisfies, type Universe, versionSatisfies } from './universe.ts';
import { compareVersions } from './version.ts';

/** What to install: package names, optionally pinned as `name=version`, and names never to pull in. */
export interface ResolveRequest {
  readonly packages: readonly string[];
  readonly exclude?: readonly string[];
}

/** Why a package is in the closure: `from` depends on it through `relation` (the group as written). */
export interface DependencyReason {
  readonly from: string;
  readonly relation: string;
}

/** A dependency group that only an excluded package could satisfy; it is treated as satisfied. */
export interface ExcludedDependency {
  readonly name: string;
  readonly from: string;
  readonly relation: string;
}

export interface Resolution {
  readonly architecture: string;
  readonly suites: readonly string[];
  /** The closure, sorted by name; one entry per name. */
  readonly packages: readonly PackageEntry[];
  /** Names of the requested packages as selected (a requested virtual name maps to its provider), sorted. */
  readonly roots: readonly string[];
  /** For every package pulled in as a dependency, who depends on it; sorted by `from`. */
  readonly reasons: ReadonlyMap<string, readonly DependencyReason[]>;
  /** Groups satisfied by exclusion, sorted by name then `from`. */
  readonly excluded: readonly ExcludedDependency[];
}

const PIN_RE = /^([a-z0-9][a-z0-9+.-]*)(?:=(\S+))?$/;

/**
 * Computes the dependency closure of `request` in `universe`. Pure and deterministic.
 *
 * Rules: Pre-Depends and Depends are followed (Recommends and Suggests are not, and Essential packages are never
 * added implicitly). In each group the first alternative already selected wins; otherwise the first alternative,
 * in order, that has a candidate: the highest version across suites of the real package, else a provider of the
 * virtual name (versioned provides honoured). A name is selected at most once; a pin selects that exact version.
 * Excluded names are never selected; a group that only they could satisfy counts as satisfied and is recorded in
 * `excluded`. Cycles are fine.
 *
 * Throws PACKAGE_UNKNOWN (with close names in the hint) for a requested name absent from the universe,
 * UNSATISFIABLE (with the dependency chain from a requested package in the message) when a group cannot be
 * satisfied or a pin names a missing version, CONFLICT when a name is both requested and excluded or pinned twice,
 * or when selected packages conflict with or break each other.
 */
export function resolveClosure(request: ResolveRequest, universe: Universe): Resolution {
  const r = new Resolver(universe, new Set(request.exclude ?? []));
  const roots = r.selectRoots(request.packages);
  r.expand();
  r.checkConflicts();
  return r.result(roots);
}

class Resolver {
  private readonly selected = new Map<string, PackageEntry>();
  /** First package that pulled each selected one in; undefined for roots. Gives the chain in errors. */
  private readonly parent = new Map<string, string | undefined>();
  private readonly reasons = new Map<string, DependencyReason[]>();
  private readonly excludedHits: ExcludedDependency[] = [];
  private readonly queue: PackageEntry[] = [];
  private readonly conflicts: ConflictIndex;

  constructor(
    private readonly u: Universe,
    private readonly exclude: ReadonlySet<string>,
  ) {
    this.conflicts = new ConflictIndex(this.selected, u.providers);
  }

  selectRoots(requested: readonly string[]): string[] {
    const parsed = requested.map((text) => {
      const m = PIN_RE.exec(text.trim());
      if (m === null) fail('USAGE', `"${text}" is not a package name or name=version`);
      return { name: m[1]!, pin: m[2] };
    });
    // Pins first, so that an unpinned request of the same name reuses the pinned selection.
    parsed.sort((a, b) => (a.pin === undefined ? 1 : 0) - (b.pin === undefined ? 1 : 0));
    const roots = new Set<string>();
    for (const { name, pin } of parsed) {
      if (this.exclude.has(name)) fail('CONFLICT', `${name} is both requested and excluded`);
      const entry = this.rootEntry(
        name,
        pin,
        parsed.map((p) => p.name),
      );
      const already = this.selected.get(entry.name);
      if (already !== undefined && already !== entry) {
        fail('CONFLICT', `${name} is requested at two versions: ${already.version} and ${entry.version}`);
      }
      if (already === undefined) this.select(entry, undefined);
      roots.add(entry.name);
    }
    return [...roots].sort();
  }

  private rootEntry(name: string, pin: string | undefined, requestedNames: readonly string[]): PackageEntry {
    const real = this.u.packages.get(name);
    if (real !== undefined) {
      if (pin === undefined) return real[0]!;
      const hit = real.find((e) => compareVersions(e.version, pin) === 0);
      if (hit !== undefined) return hit;
      fail('UNSATISFIABLE', `${name}=${pin}: no such version for ${this.u.architecture} in ${this.suiteList()}`, {
        hint: `available: ${real.map((e) => `${e.version} (${e.suite})`).join(', ')}`,
      });
    }
    const providers = this.u.providers.get(name);
    if (providers === undefined) {
      const close = suggestNames(name, [...this.u.packages.keys(), ...this.u.providers.keys()]);
      fail('PACKAGE_UNKNOWN', `${name}: no such package for ${this.u.architecture} in ${this.suiteList()}`, {
        hint: close.length > 0 ? `did you mean: ${close.join(', ')}?` : 'check the name and the distro suites',
      });
    }
    if (pin !== undefined) fail('UNSATISFIABLE', `${name} is a virtual package and cannot be pinned`);
    const names = [...new Set(providers.map((p) => p.entry.name))].sort();
    const chosen = names.find((n) => requestedNames.includes(n)) ?? (names.length === 1 ? names[0] : undefined);
    if (chosen === undefined) {
      fail('UNSATISFIABLE', `${name} is a virtual package provided by several packages`, {
        hint: `request one of: ${names.join(', ')}`,
      });
    }
    return this.selected.get(chosen) ?? this.u.packages.get(chosen)![0]!;
  }

  expand(): void {
    for (let i = 0; i < this.queue.length; i++) {
      const entry = this.queue[i]!;
      for (const group of entry.preDepends) this.satisfy(entry, group);
      for (const group of entry.depends) this.satisfy(entry, group);
    }
  }

  private select(entry: PackageEntry, from: string | undefined): void {
    this.selected.set(entry.name, entry);
    this.conflicts.add(entry);
    this.parent.set(entry.name, from);
    this.queue.push(entry);
  }

  private addReason(name: string, from: string, relation: string): void {
    if (name === from) return;
    const list = this.reasons.get(name);
    if (list === undefined) this.reasons.set(name, [{ from, relation }]);
    else if (!list.some((r) => r.from === from && r.relation === relation)) list.push({ from, relation });
  }

  private satisfy(from: PackageEntry, group: DependencyGroup): void {
    const text = formatDependencyGroup(group);
    for (const rel of group) {
      const hit = this.selectedSatisfier(rel);
      if (hit !== undefined) {
        this.addReason(hit.name, from.name, text);
        return;
      }
    }
    // Excluded packages count as present but not shipped: an alternative they satisfy ends the search in its
    // place in the order, so `debconf | debconf-2.0` with debconf excluded pulls in no other debconf-2.0 provider.
    let clash: Clash | undefined;
    for (const rel of group) {
      const c = this.candidate(rel);
      if (c.excluded !== undefined) {
        this.excludedHits.push({ name: c.excluded, from: from.name, relation: text });
        return;
      }
      if (c.entry !== undefined) {
        this.select(c.entry, from.name);
        this.addReason(c.entry.name, from.name, text);
        return;
      }
      clash ??= c.clash;
    }
    // A group naming only excluded packages that are absent from the archive is still satisfied by exclusion.
    const absentExcluded = group.find((rel) => this.exclude.has(rel.name));
    if (absentExcluded !== undefined) {
      this.excludedHits.push({ name: absentExcluded.name, from: from.name, relation: text });
      return;
    }
    this.unsatisfiable(from, group, text, clash);
  }

  /** A selected package satisfying `rel`, by name or through its Provides. */
  private selectedSatisfier(rel: Relation): PackageEntry | undefined {
    const arch = this.u.architecture;
    const real = this.selected.get(rel.name);
    if (real !== undefined && archSatisfies(real, rel, arch) && versionSatisfies(real.version, rel)) return real;
    for (const p of this.u.providers.get(rel.name) ?? []) {
      if (this.selected.get(p.entry.name) === p.entry && provideSatisfies(p, rel, arch)) return p.entry;
    }
    return undefined;
  }

  /**
   * The best new candidate for `rel`: the highest real version, else a provider. `excluded` is set instead when
   * an excluded package would satisfy `rel`; `clash` when every candidate conflicts with the selection.
   */
  private candidate(rel: Relation): { entry?: PackageEntry; excluded?: string; clash?: Clash } {
    const arch = this.u.architecture;
    let clash: Clash | undefined;
    const usable = (e: PackageEntry): boolean => {
      if (this.selected.has(e.name)) return false;
      const c = this.conflicts.clash(e);
      clash ??= c;
      return c === undefined;
    };
    const reals = (this.u.packages.get(rel.name) ?? []).filter(
      (e) => archSatisfies(e, rel, arch) && versionSatisfies(e.version, rel),
    );
    if (reals.length > 0 && this.exclude.has(rel.name)) return { excluded: rel.name };
    const real = reals.find(usable);
    if (real !== undefined) return { entry: real };
    const providers = (this.u.providers.get(rel.name) ?? [])
      .filter((p) => provideSatisfies(p, rel, arch))
      .sort(compareProviders);
    const excludedProvider = providers.find((p) => this.exclude.has(p.entry.name));
    if (excludedProvider !== undefined) return { excluded: excludedProvider.entry.name };
    const provider = providers.find((p) => usable(p.entry));
    if (provider !== undefined) return { entry: provider.entry };
    return clash === undefined ? {} : { clash };
  }

  private chain(name: string): string[] {
    const path: string[] = [];
    for (let n: string | undefined = name; n !== undefined && !path.includes(n); n = this.parent.get(n)) path.push(n);
    return path.reverse();
  }

  private suiteList(): string {
    return this.u.suites.join(', ');
  }

  private unsatisfiable(from: PackageEntry, group: DependencyGroup, text: string, clash: Clash | undefined): never {
    const why = group.map((rel) => this.explain(rel));
    if (clash !== undefined) why.push(describeClash(clash));
    return fail(
      'UNSATISFIABLE',
      `${[...this.chain(from.name), text].join(' → ')}: no candidate for ${this.u.architecture} in ${this.suiteList()}`,
      { hint: why.join('; ') },
    );
  }

  /** One line per alternative saying what exists, for the hint of an UNSATISFIABLE error. */
  private explain(rel: Relation): string {
    const name = formatRelation(rel);
    const sel = this.selected.get(rel.name);
    if (sel !== undefined) return `${name}: ${sel.name} ${sel.version} is already selected`;
    const real = this.u.packages.get(rel.name);
    if (real !== undefined) return `${name}: available ${real.map((e) => `${e.version} (${e.suite})`).join(', ')}`;
    const prov = this.u.providers.get(rel.name);
    if (prov !== undefined) {
      const list = prov.map((p) => `${p.entry.name}${p.version === undefined ? '' : ` (= ${p.version})`}`);
      return `${name}: provided by ${list.join(', ')}`;
    }
    return `${name}: not in the archive`;
  }

  /**
   * Candidates are chosen to avoid conflicts, but roots and earlier choices can still clash (Policy §7.3, §7.4):
   * a final pass reports the first clash, in name order.
   */
  checkConflicts(): void {
    for (const e of [...this.selected.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const c = this.conflicts.clash(e);
      if (c === undefined) continue;
      const via = (p: PackageEntry) => `${p.name} via ${this.chain(p.name).join(' → ')}`;
      fail('CONFLICT', describeClash(c), { hint: `${via(c.declarer)}; ${via(c.target)}` });
    }
  }

  result(roots: string[]): Resolution {
    const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const reasons = new Map<string, readonly DependencyReason[]>();
    for (const name of [...this.reasons.keys()].sort(byName)) {
      const list = this.reasons.get(name)!;
      reasons.set(
        name,
        [...list].sort((a, b) => byName(a.from, b.from) || byName(a.relation, b.relation)),
      );
    }
    return {
      architecture: this.u.architecture,
      suites: this.u.suites,
      packages: [...this.selected.values()].sort((a, b) => byName(a.name, b.name)),
      roots,
      reasons,
      excluded: [...this.excludedHits].sort((a, b) => byName(a.name, b.name) || byName(a.from, b.from)),
    };
  }
}
