import type { FileNode } from '../file-tree.ts';

/**
 * Constructors for generated nodes. Generated files belong to the image (no owners), are root-owned unless
 * stated, and carry the image's SOURCE_DATE_EPOCH as mtime so they are reproducible.
 */

export interface NodeMeta {
  readonly mtime: number;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** Packages the generated file belongs to (it is layered with them); default none: the generated layer. */
  readonly owners?: readonly string[];
}

export function fileNode(path: string, content: string | Uint8Array, meta: NodeMeta): FileNode {
  const data = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return { type: 'file', path, data, mode: meta.mode ?? 0o644, uid: meta.uid ?? 0, gid: meta.gid ?? 0, ...times(meta) };
}

export function dirNode(path: string, meta: NodeMeta): FileNode {
  return { type: 'dir', path, mode: meta.mode ?? 0o755, uid: meta.uid ?? 0, gid: meta.gid ?? 0, ...times(meta) };
}

export function symlinkNode(path: string, target: string, meta: NodeMeta): FileNode {
  return { type: 'symlink', path, target, mode: 0o777, uid: 0, gid: 0, ...times(meta) };
}

function times(meta: NodeMeta): { mtime: number; owners: readonly string[] } {
  return { mtime: meta.mtime, owners: meta.owners ?? [] };
}
