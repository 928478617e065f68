import { fail } from '../core/index.ts';
import { comparePaths } from '../oci/index.ts';
import { type FileNode, implicitDir, parentOf, resolveLinkTarget, sameContent } from './file-tree.ts';

/** Symlink hops allowed while resolving one path; the kernel's limit is 40 (path_resolution(7)). */
const MAX_LINK_HOPS = 40;

/** Owners grow while packages merge into a path; the node is copied with a frozen list in `finish`. */
type MutableNode = FileNode & { owners: string[] };

/**
 * The mutable workspace behind `assemble`: a path map with dpkg's unpacking semantics. Parent directories are
 * resolved through symlinks already in the tree (that is how `bin/sh` lands in `usr/bin/sh` under merged /usr),
 * missing parents are created, and a path shipped twice must agree. Only `assemble` holds one; it hands out an
 * immutable map at the end.
 */
export class TreeBuilder {
  private readonly nodes = new Map<string, MutableNode>();

  constructor(private readonly mtime: number) {}

  /**
   * The tree path `path` names once every existing symlinked directory on the way is followed; the last
   * component is followed too when `followLast` (a directory entry shipped where a symlink to a directory is
   * keeps the link, as dpkg does). With `create`, missing directories are made. Throws HOSTILE_INPUT for a
   * link that escapes the root or loops, CONFLICT when a component is not a directory.
   */
  resolve(path: string, opts: { create: boolean; followLast: boolean; what: string }): string {
    let hops = 0;
    const walk = (p: string, followLast: boolean): string => {
      const parts = p.split('/').filter((x) => x !== '');
      let cur = '';
      for (let i = 0; i < parts.length; i++) {
        const cand = cur === '' ? parts[i]! : `${cur}/${parts[i]}`;
        const node = this.nodes.get(cand);
        const last = i === parts.length - 1;
        if (node?.type === 'symlink' && (!last || followLast)) {
          if (++hops > MAX_LINK_HOPS) fail('HOSTILE_INPUT', `${opts.what}: too many symlinks resolving /${p}`);
          const target = resolveLinkTarget(cand, node.target);
          if (target === undefined) fail('HOSTILE_INPUT', `${opts.what}: /${cand} points outside the image root`);
          cur = walk(target, true);
          if (opts.create) this.ensureDir(cur);
        } else if (node === undefined || node.type === 'dir' || last) {
          if (node === undefined && opts.create && !last) this.ensureDir(cand);
          cur = cand;
        } else {
          fail('CONFLICT', `${opts.what}: /${cand} is a ${node.type} (from ${ownerName(node)}), not a directory`);
        }
      }
      return cur;
    };
    const resolved = walk(path, opts.followLast);
    if (opts.create) this.ensureDir(parentOf(resolved));
    return resolved;
  }

  /** Makes `dir` and its ancestors exist as directories (already resolved, so no links on the way). */
  private ensureDir(dir: string): void {
    if (dir === '') return;
    const node = this.nodes.get(dir);
    if (node?.type === 'dir') return;
    if (node !== undefined) fail('CONFLICT', `/${dir} is a ${node.type} (from ${ownerName(node)}), not a directory`);
    this.ensureDir(parentOf(dir));
    this.nodes.set(dir, { ...implicitDir(dir, this.mtime), owners: [] });
  }

  get(path: string): FileNode | undefined {
    return this.nodes.get(path);
  }

  /**
   * Adds a node shipped by `owner` (or by the image when `owner` is undefined). An existing directory merges
   * (a package's metadata replaces that of a directory created only as a parent); identical content merges
   * owners; anything else is a CONFLICT naming both packages. The builder keeps `node` itself (its owner list
   * replaced): callers hand over nodes they just made, which saves a copy of every node of the image.
   */
  add(node: FileNode, owner: string | undefined): void {
    const owners = owner === undefined ? [] : [owner];
    const existing = this.nodes.get(node.path);
    if (existing === undefined || (existing.type === 'dir' && node.type === 'dir' && existing.owners.length === 0)) {
      this.nodes.set(node.path, Object.assign(node, { owners }));
    } else if ((existing.type === 'dir' && node.type === 'dir') || sameContent(existing, node)) {
      if (owner !== undefined && !existing.owners.includes(owner)) existing.owners.push(owner);
    } else {
      fail('CONFLICT', `/${node.path} is shipped by both ${ownerName(existing)} and ${owner ?? 'the image'}`, {
        hint: 'Exclude one of the packages in the definition, or report the conflict to Debian.',
      });
    }
  }

  /** The finished nodes, sorted by path, with sorted owner lists. The builder must not be used afterwards. */
  finish(): Map<string, FileNode> {
    const out = new Map<string, FileNode>();
    for (const path of [...this.nodes.keys()].sort(comparePaths)) {
      // The builder's nodes are its own copies (add), so their owner lists are sorted where they are.
      const node = this.nodes.get(path)!;
      node.owners.sort();
      out.set(path, node);
    }
    return out;
  }
}

function ownerName(node: FileNode): string {
  return node.owners.length > 0 ? node.owners.join(', ') : 'the image';
}

/** Byte-wise order of UTF-8 paths, the order tar writers and `LC_ALL=C sort` use (the tar writer's own). */
export { comparePaths };
