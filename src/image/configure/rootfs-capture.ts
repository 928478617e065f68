import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fail } from '../../core/index.ts';
import type { FileNode, FileTree } from '../file-tree.ts';
import { comparePaths } from '../tree-builder.ts';

/**
 * What configuring changed in a root filesystem, relative to the tree it was written from: paths added or
 * changed (with their new content and metadata), and paths removed. mtimes are not compared (every write sets
 * one); `dropped` paths are neither kept nor compared.
 */
export interface RootfsChanges {
  /** Added or changed nodes, sorted by path; owners empty, mtime clamped to `epoch`. */
  readonly changed: readonly FileNode[];
  /** Tree paths that no longer exist, sorted; a removed directory is listed once, without its content. */
  readonly removed: readonly string[];
  /** Paths that were dropped by `dropped` (logs, caches), sorted, for the record. */
  readonly dropped: readonly string[];
}

export interface CaptureOptions {
  readonly epoch: number;
  /** Paths whose content is not part of the result (the caller's list of logs and caches). */
  readonly dropped: (path: string) => boolean;
  /** Refuse when the changed files hold more than this many bytes (a runaway script). */
  readonly maxBytes: number;
}

/**
 * Reads `dir` back and compares it with `tree`. Symlinks are read, never followed. Hardlinks come back as
 * separate files with the same content. Throws HOSTILE_INPUT for a device node, FIFO or socket left behind
 * outside the dropped paths, or when the changes exceed `maxBytes`.
 */
export async function captureChanges(dir: string, tree: FileTree, opts: CaptureOptions): Promise<RootfsChanges> {
  const changed: FileNode[] = [];
  const dropped: string[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(dir, rel))).sort(comparePaths);
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      if (opts.dropped(path)) {
        dropped.push(path);
        continue;
      }
      seen.add(path);
      const node = await readNode(dir, path, opts.epoch);
      const before = tree.nodes.get(path);
      if (before === undefined || !sameNode(before, node)) {
        if (node.type === 'file') bytes += node.data.length;
        if (bytes > opts.maxBytes) fail('HOSTILE_INPUT', `configuring changed more than ${opts.maxBytes} bytes`);
        changed.push(node);
      }
      if (node.type === 'dir') await walk(path);
    }
  };
  await walk('');
  const removed = [...tree.nodes.keys()]
    .filter((p) => !seen.has(p) && !opts.dropped(p))
    .filter((p, _, all) => !all.some((q) => p.startsWith(`${q}/`) && !seen.has(q)))
    .sort(comparePaths);
  return { changed, removed, dropped };
}

async function readNode(dir: string, path: string, epoch: number): Promise<FileNode> {
  const full = join(dir, path);
  const st = await lstat(full);
  const base = { path, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: epoch, owners: [] };
  if (st.isDirectory()) return { ...base, type: 'dir' };
  if (st.isSymbolicLink()) return { ...base, mode: 0o777, type: 'symlink', target: await readlink(full) };
  if (st.isFile()) return { ...base, type: 'file', data: new Uint8Array(await readFile(full)) };
  return fail('HOSTILE_INPUT', `configuring left a special file at /${path}`, {
    hint: 'device nodes, FIFOs and sockets are never part of an image',
  });
}

/** Same type, owner, mode and content; mtimes are ignored (see RootfsChanges). */
function sameNode(a: FileNode, b: FileNode): boolean {
  if (a.uid !== b.uid || a.gid !== b.gid) return false;
  if (a.type === 'symlink' || b.type === 'symlink') {
    return a.type === 'symlink' && b.type === 'symlink' && a.target === b.target;
  }
  if (a.mode !== b.mode) return false;
  if (a.type === 'dir' || b.type === 'dir') return a.type === b.type;
  return Buffer.from(a.data).equals(b.data);
}
