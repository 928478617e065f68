import type { FileNode, FileTree } from '../file-tree.ts';
import { fileNode } from './nodes.ts';

/**
 * `/etc/shells` (shells(5)): the login shells programs such as chsh and some daemons accept. In Debian the
 * shells' maintainer scripts register themselves with add-shell, under both `/bin` and `/usr/bin` since merged
 * /usr; we write the same list from the shells present in the tree. Only images with a shell get the file.
 */

/** Shells registered by their Debian packages (dash also registers `/bin/sh`), in the order listed. */
const KNOWN_SHELLS = ['sh', 'bash', 'rbash', 'dash', 'zsh'] as const;

export function shellsText(tree: FileTree): string | undefined {
  const present = KNOWN_SHELLS.filter((s) => tree.nodes.has(`usr/bin/${s}`));
  if (present.length === 0) return undefined;
  const lines = present.flatMap((s) => [`/bin/${s}`, `/usr/bin/${s}`]);
  return `# /etc/shells: valid login shells\n${lines.map((l) => `${l}\n`).join('')}`;
}

/** The `/etc/shells` node, or nothing when the tree has no shell. */
export function shellsNodes(tree: FileTree, mtime: number): FileNode[] {
  const text = shellsText(tree);
  return text === undefined ? [] : [fileNode('etc/shells', text, { mtime })];
}
