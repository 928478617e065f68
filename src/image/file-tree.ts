import { fail } from '../core/index.ts';
import type { ControlMember, ControlParagraph } from '../debian/index.ts';
import type { LockedPackage } from '../definition/index.ts';
import { comparePaths } from '../oci/index.ts';
import { copyNode, sameData } from './file-data.ts';

/**
 * The assembled root filesystem of one image, in memory: every path the image will contain, with the package
 * that shipped it. Built by `assemble` (pure), extended by `withSynthesized`, and cut into layers by
 * `treeToLayers`. Values are never edited in place once returned.
 */

interface NodeBase {
  /** Relative path (`usr/bin/env`); the root itself is not a node. */
  readonly path: string;
  /** Permission bits including setuid/setgid/sticky. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds since the Unix epoch; layering clamps it to SOURCE_DATE_EPOCH. */
  readonly mtime: number;
  /**
   * Packages that ship this path, sorted. Several when they ship identical content (or the same directory);
   * empty for synthesized files and for directories created only as parents.
   */
  readonly owners: readonly string[];
}

export type FileNode =
  | (NodeBase & { readonly type: 'file'; readonly data: Uint8Array })
  | (NodeBase & { readonly type: 'dir' })
  | (NodeBase & { readonly type: 'symlink'; readonly target: string })
  /** A second name for the file at `target` (a tree path); `data` is that file's content, for checksums. */
  | (NodeBase & { readonly type: 'hardlink'; readonly target: string; readonly data: Uint8Array });

/** A package that went into the tree, with the metadata status.d and the SBOM need. */
export interface TreePackage {
  readonly locked: LockedPackage;
  readonly control: ControlParagraph;
  /** The package's `control` file exactly as shipped. */
  readonly controlText: string;
  /** The package's conffiles (deb-conffiles(5)), absolute paths as listed; absent when not known. */
  readonly conffiles?: readonly string[];
  /**
   * Merged-/usr links (`bin`, `lib64`, ...) the package's archive paths go through: dpkg lists them as the
   * package's directories, so `dpkg -S /lib64` names libc6 as on any Debian system. Absent when not known.
   */
  readonly mergedDirs?: readonly string[];
  /** Maintainer scripts and other info files of the control archive; absent when not known. */
  readonly controlFiles?: readonly ControlMember[];
}

/** Why a path shipped by a package is not in the tree, or was changed. */
export interface StrippedPath {
  readonly package: string;
  readonly path: string;
}

export interface ModeChange {
  readonly package: string;
  readonly path: string;
  readonly from: number;
  readonly to: number;
}

export interface FileTree {
  /** Every path of the image, keyed by path; parents always exist as directories. */
  readonly nodes: ReadonlyMap<string, FileNode>;
  /** Packages in the tree, sorted by name. */
  readonly packages: readonly TreePackage[];
  /** Paths removed by the strip rules, sorted by package then path. */
  readonly stripped: readonly StrippedPath[];
  /** setuid/setgid bits removed (runtime variants), sorted by path. */
  readonly modeChanges: readonly ModeChange[];
}

/** Parent directory of a tree path, `''` for a top-level path. */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** All proper ancestors of a path, outermost first (`a/b/c` → `a`, `a/b`). */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

/**
 * Resolves a symlink target lexically against the directory holding the link, returning the tree path it names
 * (`''` for the root). Absolute targets start from the image root. Returns `undefined` when a relative target
 * climbs above the root, i.e. it would escape the image if extracted anywhere but a chroot.
 */
export function resolveLinkTarget(linkPath: string, target: string): string | undefined {
  const parts = target.startsWith('/')
    ? []
    : parentOf(linkPath)
        .split('/')
        .filter((p) => p !== '');
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return target.startsWith('/') ? '' : undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/** Whether two nodes at the same path may merge: same type and mode, and identical content or link target. */
export function sameContent(a: FileNode, b: FileNode): boolean {
  if (a.type === 'symlink') {
    // Link permissions are meaningless on Linux; `/usr/bin` and `usr/bin` at the top level name the same place.
    return b.type === 'symlink' && resolveLinkTarget(a.path, a.target) === resolveLinkTarget(b.path, b.target);
  }
  if (a.type !== b.type || a.mode !== b.mode) return false;
  switch (a.type) {
    case 'dir':
      return true;
    case 'file':
    case 'hardlink':
      return (b.type === 'file' || b.type === 'hardlink') && sameData(a, b);
  }
}

/** A directory created only to hold other paths: root-owned, 0755, like `mkdir -p` under umask 022. */
export function implicitDir(path: string, mtime: number): FileNode {
  return { type: 'dir', path, mode: 0o755, uid: 0, gid: 0, mtime, owners: [] };
}

/**
 * Returns a new tree with synthesized nodes added (owners are cleared: they belong to the image, not a
 * package). A synthesized node replaces a package's node at the same path (e.g. base-files' os-release), except
 * that a directory never replaces or is replaced by a non-directory (CONFLICT). Missing parents are created.
 * The result's nodes are sorted by path, like `assemble`'s.
 */
export function withSynthesized(tree: FileTree, nodes: readonly FileNode[], mtime: number): FileTree {
  const out = new Map(tree.nodes);
  for (const node of nodes) {
    for (const dir of ancestorsOf(node.path)) {
      const existing = out.get(dir);
      if (existing === undefined) out.set(dir, implicitDir(dir, mtime));
      else if (existing.type !== 'dir') fail('CONFLICT', `generated path /${node.path}: /${dir} is not a directory`);
    }
    const existing = out.get(node.path);
    if (existing !== undefined && (existing.type === 'dir') !== (node.type === 'dir')) {
      fail('CONFLICT', `generated path /${node.path} clashes with a ${existing.type} shipped by ${existing.owners[0]}`);
    }
    out.set(node.path, copyNode(node, { owners: [] }));
  }
  const sorted = new Map([...out].sort(([a], [b]) => comparePaths(a, b)));
  return { ...tree, nodes: sorted };
}
