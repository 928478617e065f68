import { chmod, lchown, link, lutimes, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileNode, FileTree } from '../file-tree.ts';

/**
 * Writes an assembled tree to `dir` (absent or empty) as a root filesystem, with owners, modes and mtimes, so
 * a container can run in it. The tree's paths were checked by `assemble` (no `..`, nothing absolute), and
 * every node's parents are directories of the tree, so no write passes through a symlink: links are created
 * after all content. Needs root for the owners.
 */
export async function writeTree(tree: FileTree, dir: string): Promise<void> {
  const nodes = [...tree.nodes.values()];
  await mkdir(dir, { recursive: true, mode: 0o755 });
  for (const n of nodes) if (n.type === 'dir') await mkdir(join(dir, n.path), { recursive: true, mode: 0o700 });
  for (const n of nodes) if (n.type === 'file') await writeFile(join(dir, n.path), n.data, { flag: 'wx', mode: 0o600 });
  for (const n of nodes) if (n.type === 'hardlink') await link(join(dir, n.target), join(dir, n.path));
  for (const n of nodes) if (n.type === 'symlink') await symlink(n.target, join(dir, n.path));
  // Deepest first, directories last, so setting a directory's mtime is not undone by writes inside it.
  const byDepth = (a: FileNode, b: FileNode) => Buffer.compare(Buffer.from(b.path), Buffer.from(a.path));
  for (const n of nodes.filter((x) => x.type !== 'dir').sort(byDepth)) await applyMeta(dir, n);
  for (const n of nodes.filter((x) => x.type === 'dir').sort(byDepth)) await applyMeta(dir, n);
}

async function applyMeta(dir: string, n: FileNode): Promise<void> {
  const p = join(dir, n.path);
  await lchown(p, n.uid, n.gid);
  if (n.type === 'symlink') return lutimes(p, n.mtime, n.mtime);
  // chmod after chown: chown clears setuid/setgid bits.
  await chmod(p, n.mode & 0o7777);
  await utimes(p, n.mtime, n.mtime);
}
