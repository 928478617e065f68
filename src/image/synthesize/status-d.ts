import { serializeParagraph } from '../../debian/index.ts';
import { dataDigests } from '../file-data.ts';
import type { FileNode, FileTree, TreePackage } from '../file-tree.ts';
import { comparePaths } from '../tree-builder.ts';
import { dirNode, fileNode } from './nodes.ts';

/**
 * The package database scanners read in distroless-style images: `/var/lib/dpkg/status.d/<package>` holds the
 * package's control paragraph with `Status: install ok installed` added (the stanza dpkg would keep in
 * /var/lib/dpkg/status), and `/var/lib/dpkg/status.d/<package>.md5sums` lists its files. syft, trivy and grype
 * read both; the file name is the package name, as distroless writes it.
 */

export const STATUS_D = 'var/lib/dpkg/status.d';
const INSTALLED = 'install ok installed';

/** The status paragraph: the control fields in their order, with `Status` right after `Package` as dpkg does. */
export function statusStanza(pkg: TreePackage): string {
  const fields: [string, string][] = [];
  for (const [name, value] of pkg.control.fields) {
    if (name.toLowerCase() === 'status') continue;
    fields.push([name, value]);
    if (name.toLowerCase() === 'package') fields.push(['Status', INSTALLED]);
  }
  return serializeParagraph(fields);
}

/**
 * md5sums (deb-md5sums(5)) of the files the package has in the tree, recomputed from the bytes actually
 * shipped: stripped files are absent and paths are where the files really are (after merged-/usr). Sorted by
 * path; empty when the package has no files.
 */
export function md5sumsText(tree: FileTree, pkg: string): string {
  const lines: string[] = [];
  for (const node of tree.nodes.values()) {
    if ((node.type === 'file' || node.type === 'hardlink') && node.owners.includes(pkg)) {
      lines.push(`${dataDigests(node).md5}  ${node.path}\n`);
    }
  }
  return lines.sort((a, b) => comparePaths(a.slice(34), b.slice(34))).join('');
}

/** The status.d directory with one stanza (and md5sums, when there are files) per package in the tree. */
export function statusDNodes(tree: FileTree, mtime: number): FileNode[] {
  const nodes: FileNode[] = [dirNode(STATUS_D, { mtime })];
  for (const pkg of tree.packages) {
    const name = pkg.locked.name;
    // Owned by the package, so its entry sits in the package's own layer: a version bump then changes
    // that one layer, not the shared generated one.
    const owners = [name];
    nodes.push(fileNode(`${STATUS_D}/${name}`, statusStanza(pkg), { mtime, owners }));
    const sums = md5sumsText(tree, name);
    if (sums.length > 0) nodes.push(fileNode(`${STATUS_D}/${name}.md5sums`, sums, { mtime, owners }));
  }
  return nodes;
}
