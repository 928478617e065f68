import { fail } from '../core/index.ts';
import type { Archive } from './archive-client.ts';
import type { PackageEntry, Relation } from './types.ts';
import { compareVersions, satisfies } from './version.ts';

/**
 * The installable candidates for one target architecture, gathered from several suites' Packages indices:
 * what the resolver chooses from. Built once, then read-only.
 */
export interface Universe {
  readonly architecture: string;
  /** Suites in priority order (first wins a tie between equal versions), used in messages too. */
  readonly suites: readonly string[];
  /** Real packages by name, highest version first; equal versions keep only the entry of the earliest suite. */
  readonly packages: ReadonlyMap<string, readonly PackageEntry[]>;
  /** Virtual names (Provides) to the entries providing them, in universe order. */
  readonly providers: ReadonlyMap<string, readonly Provider[]>;
}

/** One `Provides` of an entry; `version` is set for a versioned provide (`foo (= 1.0)`, Policy §7.5). */
export interface Provider {
  readonly entry: PackageEntry;
  readonly version?: string;
}

export interface UniverseOptions {
  /** Target architecture; only entries of this architecture or `all` are kept. */
  readonly architecture: string;
  /** Suite priority order; suites seen in entries but not listed are appended in first-seen order. */
  readonly suites?: readonly string[];
}

/**
 * Indexes candidate entries for `opts.architecture`. Pure and deterministic: the result depends only on the
 * entries and the suite order, not on the order entries are given in within a suite.
 */
export function buildUniverse(entries: Iterable<PackageEntry>, opts: UniverseOptions): Universe {
  if (opts.architecture === 'all' || opts.architecture.length === 0) {
    fail('USAGE', `"${opts.architecture}" is not a target architecture`, { hint: 'use e.g. amd64 or arm64' });
  }
  const suites = [...(opts.suites ?? [])];
  const rank = new Map(suites.map((s, i) => [s, i]));
  const byName = new Map<string, PackageEntry[]>();
  for (const e of entries) {
    if (e.architecture !== opts.architecture && e.architecture !== 'all') continue;
    if (!rank.has(e.suite)) {
      rank.set(e.suite, suites.length);
      suites.push(e.suite);
    }
    const list = byName.get(e.name);
    if (list === undefined) byName.set(e.name, [e]);
    else list.push(e);
  }

  const packages = new Map<string, readonly PackageEntry[]>();
  const providers = new Map<string, Provider[]>();
  for (const name of [...byName.keys()].sort()) {
    const sorted = byName
      .get(name)!
      .sort(
        (a, b) =>
          compareVersions(b.version, a.version) ||
          rank.get(a.suite)! - rank.get(b.suite)! ||
          (a.architecture === b.architecture ? 0 : a.architecture === 'all' ? 1 : -1),
      );
    // The same version in two suites is the same package (the archive forbids differing contents per version).
    const unique = sorted.filter((e, i) => i === 0 || compareVersions(sorted[i - 1]!.version, e.version) !== 0);
    packages.set(name, unique);
    for (const entry of unique) {
      for (const p of entry.provides) {
        const provider: Provider = p.version === undefined ? { entry } : { entry, version: p.version };
        const list = providers.get(p.name);
        if (list === undefined) providers.set(p.name, [provider]);
        else list.push(provider);
      }
    }
  }
  return { architecture: opts.architecture, suites, packages, providers };
}

/** How many universes {@link archiveUniverse} keeps: a distribution's two architectures, for two distributions. */
const MAX_UNIVERSES = 4;
const universes = new Map<string, Universe>();

/**
 * The universe of an opened archive, built once per archive state in this process. Building one indexes some 70k
 * entries (about a CPU-second), and a process that locks many images (`update` over a catalog re-locks every image)
 * would build the very same one for each. It is found by what determines it, as the resolution cache keys a
 * resolution: the architecture, each suite's verified InRelease digest (which pins every index it lists) in the
 * archive's order, and the repositories with the components read. A universe is read-only; the least recently
 * used are dropped beyond MAX_UNIVERSES.
 */
export function archiveUniverse(
  archive: Archive,
  repositories: readonly { readonly url: string; readonly components: readonly string[] }[],
): Universe {
  const key = JSON.stringify({
    architecture: archive.architecture,
    suites: archive.suites.map((s) => [s.suite, s.baseUrl, s.inReleaseSha256]),
    repositories: repositories.map((r) => [r.url, [...r.components]]),
  });
  const held = universes.get(key);
  if (held !== undefined) {
    // Most recently used last, so the oldest goes first.
    universes.delete(key);
    universes.set(key, held);
    return held;
  }
  const universe = buildUniverse(archive.packages, {
    architecture: archive.architecture,
    suites: archive.suites.map((s) => s.suite),
  });
  universes.set(key, universe);
  for (const old of universes.keys()) {
    if (universes.size <= MAX_UNIVERSES) break;
    universes.delete(old);
  }
  return universe;
}

/** Lets every kept universe go ({@link forgetParsedArchives}). */
export function forgetUniverses(): void {
  universes.clear();
}

/**
 * Architecture rules of a relation against a candidate in a single-architecture universe (where every
 * candidate is of the target architecture or `all`), after the Multi-Arch spec as dpkg and apt apply it:
 * no qualifier or `:native` — any candidate; `:any` — only `Multi-Arch: allowed` candidates;
 * `:<arch>` — candidates of that architecture, or `Multi-Arch: foreign` ones, which satisfy any architecture.
 */
export function archSatisfies(entry: PackageEntry, rel: Relation, target: string): boolean {
  const q = rel.archQualifier;
  if (q === undefined || q === 'native') return true;
  if (q === 'any') return entry.multiArch === 'allowed';
  return q === target || entry.multiArch === 'foreign';
}

/** Version rule of a relation against a real package version. */
export function versionSatisfies(version: string, rel: Relation): boolean {
  return rel.op === undefined || rel.version === undefined || satisfies(version, rel.op, rel.version);
}

/**
 * Whether a provide satisfies a relation (Policy §7.5): an unversioned provide satisfies only unversioned
 * relations; a versioned one is compared like a real version.
 */
export function provideSatisfies(p: Provider, rel: Relation, target: string): boolean {
  if (!archSatisfies(p.entry, rel, target)) return false;
  if (rel.op === undefined) return true;
  return p.version !== undefined && versionSatisfies(p.version, rel);
}

const PRIORITY_RANK: Readonly<Record<string, number>> = { required: 0, important: 1, standard: 2, optional: 3 };

/** Among several providers of a virtual name: higher Priority first, then by name, then highest version. */
export function compareProviders(a: Provider, b: Provider): number {
  const pa = PRIORITY_RANK[a.entry.priority] ?? 4;
  const pb = PRIORITY_RANK[b.entry.priority] ?? 4;
  if (pa !== pb) return pa - pb;
  if (a.entry.name !== b.entry.name) return a.entry.name < b.entry.name ? -1 : 1;
  return compareVersions(b.entry.version, a.entry.version);
}
