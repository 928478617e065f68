import type { FileNode, FileTree } from '../file-tree.ts';
import { dirNode } from './nodes.ts';

/**
 * base-files ships `/var/lock` as a world-writable sticky directory (1777) and its postinst turns it into a link
 * to `/run/lock`, also 1777. Hardened images allow world-writable paths only under /tmp and /var/tmp (the
 * no-world-writable check), and the images that carry base-files are dev images, which run as root; so the
 * directory is kept, root-only (0755). Programs that take FHS lock files still find it.
 */

const LOCK_DIRS = ['var/lock', 'run/lock'] as const;

/** Replacements for the lock directories of the tree that are world-writable; empty when there are none. */
export function lockDirNodes(tree: FileTree, mtime: number): FileNode[] {
  return LOCK_DIRS.flatMap((path) => {
    const node = tree.nodes.get(path);
    if (node?.type !== 'dir' || (node.mode & 0o002) === 0) return [];
    return [dirNode(path, { mtime, mode: 0o755 })];
  });
}
