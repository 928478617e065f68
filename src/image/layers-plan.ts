import { fail } from '../core/index.ts';
import type { LockedPackage } from '../definition/index.ts';
import type { TarEntry } from '../oci/index.ts';
import { withDataOf } from './file-data.ts';
import type { FileNode, FileTree } from './file-tree.ts';
import { parentOf } from './file-tree.ts';
import { comparePaths } from './tree-builder.ts';

/**
 * Layering (DESIGN.md, Image rules): one layer per source package, generated files in a final layer of their
 * own. A patch rebuild changes only the groups whose packages changed, so the other layers keep their digests
 * and are neither re-created nor re-pushed.
 */

export interface PackageGroup {
  /** The source package name; for a merged group, the first source plus `+<n>` (e.g. `acl+3`). */
  readonly name: string;
  readonly kind: 'packages' | 'synthesized';
  /** Binary package names in the group, sorted. */
  readonly packages: readonly string[];
  /** Sum of the packages' .deb sizes, in bytes. */
  readonly size: number;
}

/** The name of the group holding generated files. */
export const SYNTHESIZED_GROUP = 'ironclad-generated';

/** Docker and containerd handle well over 100 layers, but overlayfs mounts get slow past ~64 (and 128 is a hard limit in some runtimes). */
export const DEFAULT_MAX_LAYERS = 64;

const byName = (a: PackageGroup, b: PackageGroup) => comparePaths(a.name, b.name);

/**
 * Plans layers: one group per source package, sorted by source name, then the synthesized group last. When
 * there are more source groups than `maxLayers - 1`, the smallest groups (by size, then name) are merged into
 * one, so large groups keep their own layer and their digests stay stable. Pure. Throws USAGE when
 * `maxLayers < 2` and INVALID_INPUT for a package listed twice.
 *
 * With `shared` (the runtime variant's packages, when planning a dev variant), the runtime's groups are planned
 * first exactly as the runtime plans them, and kept whenever every package of a group is here at the same
 * version and architecture: those layers are then byte-identical to the runtime's. The other packages are
 * grouped by source after them (`<source>+dev` when the runtime has a group of that name).
 */
export function groupPackages(
  pkgs: readonly LockedPackage[],
  maxLayers = DEFAULT_MAX_LAYERS,
  shared?: readonly LockedPackage[],
): PackageGroup[] {
  if (!Number.isInteger(maxLayers) || maxLayers < 2) fail('USAGE', `at least 2 layers are needed, not ${maxLayers}`);
  checkUnique(pkgs);
  if (shared === undefined || shared.length === 0) {
    return [...sourceGroups(pkgs, maxLayers - 1, new Set()), synthesizedGroup()];
  }
  const here = new Map(pkgs.map((p) => [p.name, p]));
  const same = (p: LockedPackage) => {
    const mine = here.get(p.name);
    return mine !== undefined && mine.version === p.version && mine.architecture === p.architecture;
  };
  const bySharedName = new Map(shared.map((p) => [p.name, p]));
  const kept = groupPackages(shared, maxLayers)
    .filter((g) => g.kind === 'packages')
    .filter((g) => g.packages.every((n) => same(bySharedName.get(n)!)));
  const inKept = new Set(kept.flatMap((g) => g.packages));
  const rest = pkgs.filter((p) => !inKept.has(p.name));
  const budget = Math.max(1, maxLayers - 1 - kept.length);
  const extra = sourceGroups(rest, budget, new Set(kept.map((g) => g.name)));
  return [...kept, ...extra, synthesizedGroup()];
}

function checkUnique(pkgs: readonly LockedPackage[]): void {
  const seen = new Set<string>();
  for (const p of pkgs) {
    if (seen.has(p.name)) fail('INVALID_INPUT', `package ${p.name} is listed twice`);
    seen.add(p.name);
  }
}

function synthesizedGroup(): PackageGroup {
  return { name: SYNTHESIZED_GROUP, kind: 'synthesized', packages: [], size: 0 };
}

/** One group per source, the smallest merged when over `budget`, sorted by name; `taken` names get `+dev`. */
function sourceGroups(pkgs: readonly LockedPackage[], budget: number, taken: ReadonlySet<string>): PackageGroup[] {
  const bySource = new Map<string, LockedPackage[]>();
  for (const p of pkgs) bySource.set(p.source, [...(bySource.get(p.source) ?? []), p]);
  let groups: PackageGroup[] = [...bySource].map(([source, list]) => ({
    name: taken.has(source) ? `${source}+dev` : source,
    kind: 'packages',
    packages: list.map((p) => p.name).sort(comparePaths),
    size: list.reduce((n, p) => n + p.size, 0),
  }));
  if (groups.length > budget) {
    const bySize = [...groups].sort((a, b) => a.size - b.size || byName(a, b));
    const merge = bySize.slice(0, groups.length - budget + 1);
    const mergedNames = new Set(merge.map((g) => g.name));
    const first = [...merge].sort(byName)[0]!;
    groups = groups.filter((g) => !mergedNames.has(g.name));
    groups.push({
      name: `${first.name}+${merge.length - 1}`,
      kind: 'packages',
      packages: merge.flatMap((g) => g.packages).sort(comparePaths),
      size: merge.reduce((n, g) => n + g.size, 0),
    });
  }
  return groups.sort(byName);
}

export interface LayerPlan {
  readonly group: PackageGroup;
  /** Tar entries of the layer, sorted by path; parents precede children and hardlink targets their links. */
  readonly entries: readonly TarEntry[];
}

/**
 * Cuts a tree into one entry list per group, in group order. A file goes to the first group owning one of its
 * packages; files without owners go to the synthesized group. A directory goes to every group that ships it
 * or has something inside it, with the same metadata in each; one nobody ships goes to the synthesized group
 * only when no other layer holds it. mtimes are clamped to `epoch`. Hardlinked paths
 * in one layer become one file (the first path) plus links to it; a link whose file is in another layer becomes
 * a copy. Throws INVALID_INPUT when a node belongs to no group.
 */
export function treeToLayers(tree: FileTree, groups: readonly PackageGroup[], epoch: number): LayerPlan[] {
  const groupOf = new Map<string, number>();
  groups.forEach((g, i) => {
    for (const p of g.packages) if (!groupOf.has(p)) groupOf.set(p, i);
  });
  const synthesized = groups.findIndex((g) => g.kind === 'synthesized');
  const homes = (node: FileNode): number[] => {
    const idx = node.owners.map((o) => groupOf.get(o)).filter((i) => i !== undefined);
    if (node.owners.length === 0 && synthesized >= 0) return [synthesized];
    if (idx.length === 0)
      fail('INVALID_INPUT', `/${node.path} belongs to no layer (owners: ${node.owners.join(', ') || 'none'})`);
    return node.type === 'dir' ? [...new Set(idx)] : [Math.min(...idx)];
  };
  const members: Set<string>[] = groups.map(() => new Set());
  const place = (node: FileNode) => {
    for (const i of homes(node)) {
      const m = members[i]!;
      m.add(node.path);
      // Each set holds the parents of every path in it, so the walk up ends at the first parent already there.
      for (let dir = parentOf(node.path); dir !== '' && !m.has(dir); dir = parentOf(dir)) m.add(dir);
    }
  };
  const unownedDirs: FileNode[] = [];
  for (const node of tree.nodes.values()) {
    if (node.type === 'dir' && node.owners.length === 0) unownedDirs.push(node);
    else place(node);
  }
  // A directory nobody ships (a parent `assemble` created, or a generated one such as /tmp) needs a layer of
  // its own only when no layer already holds it as a parent.
  for (const dir of unownedDirs) if (!members.some((m) => m.has(dir.path))) place(dir);
  return groups.map((group, i) => ({ group, entries: layerEntries(tree, [...members[i]!], epoch) }));
}

function layerEntries(tree: FileTree, paths: string[], epoch: number): TarEntry[] {
  paths.sort(comparePaths);
  // Directories are shared by many packages (usr/, usr/share/), and the tree keeps one package's mtime for them.
  // Taking that here would tie every layer to whichever package it came from, so a patch to one package would
  // change every layer. Instead a directory gets the newest mtime of this layer's own non-directory entries.
  const dirMtime = Math.min(
    epoch,
    paths.reduce((m, p) => {
      const n = tree.nodes.get(p);
      return n !== undefined && n.type !== 'dir' ? Math.max(m, n.mtime) : m;
    }, 0) || epoch,
  );
  // Paths sharing an inode, keyed by the tree path of their file: the first one in this layer carries the data.
  const inodeHolder = new Map<string, string>();
  const entries: TarEntry[] = [];
  for (const path of paths) {
    const node = tree.nodes.get(path);
    if (node === undefined) fail('INVALID_INPUT', `/${path} is needed as a directory but missing from the tree`);
    const base = { path, mode: node.mode, uid: node.uid, gid: node.gid, mtime: Math.min(node.mtime, epoch) };
    switch (node.type) {
      case 'dir':
        entries.push({ ...base, mtime: dirMtime, type: 'dir' });
        break;
      case 'symlink':
        entries.push({ ...base, type: 'symlink', target: node.target });
        break;
      case 'file':
      case 'hardlink': {
        const inode = node.type === 'file' ? node.path : node.target;
        const holder = inodeHolder.get(inode);
        if (holder === undefined) {
          inodeHolder.set(inode, path);
          entries.push(withDataOf({ ...base, type: 'file' as const }, node));
        } else entries.push({ ...base, type: 'hardlink', target: holder });
        break;
      }
    }
  }
  return entries;
}
