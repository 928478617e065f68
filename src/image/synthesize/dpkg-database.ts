import { serializeParagraph } from '../../debian/index.ts';
import { dataDigests } from '../file-data.ts';
import type { FileNode, FileTree, TreePackage } from '../file-tree.ts';
import { comparePaths } from '../tree-builder.ts';
import { dirNode, fileNode } from './nodes.ts';

/**
 * dpkg's own database, as a system where dpkg unpacked and configured every package would hold it
 * (dpkg(1), FILES; deb-md5sums(5), deb-conffiles(5)). Dev variants ship apt and dpkg, and those tools read only
 * this layout, never distroless' status.d; scanners read both, so a dev image carries this database instead of
 * status.d and every package is listed exactly once.
 *
 * Written:
 * - `/var/lib/dpkg/status`: one stanza per package, `Status: install ok installed`, sorted by name;
 * - `/var/lib/dpkg/info/<pkg>.list`: `/.` then every path the package owns in the tree (merged-/usr paths,
 *   directories included), parents before children;
 * - `/var/lib/dpkg/info/<pkg>.md5sums` (files other than conffiles) and `<pkg>.conffiles`;
 * - the files dpkg expects to find: `available`, `diversions`, `statoverride` (empty), `arch` (the native
 *   architecture) and `info/format` (database layout 1).
 * Multi-Arch: same packages have their info files named `<pkg>:<arch>.*`, as dpkg names them.
 */

export const DPKG_DIR = 'var/lib/dpkg';
export const DPKG_STATUS = `${DPKG_DIR}/status`;
export const DPKG_INFO = `${DPKG_DIR}/info`;
/** dpkg's package states (dpkg-query(1), Status): every file on disk; configured or not. */
export type PackageState = 'installed' | 'unpacked';

/** A conffile of a package with the md5 of the content the package shipped (dpkg's "pristine" hash). */
export interface Conffile {
  /** Absolute path as the package lists it (`/etc/bash.bashrc`). */
  readonly path: string;
  readonly md5: string;
}

/** `name` or, for Multi-Arch: same packages, `name:arch`: the stem of the package's info files. */
export function infoName(pkg: TreePackage): string {
  const same = pkg.control.get('Multi-Arch')?.trim() === 'same';
  return same ? `${pkg.locked.name}:${pkg.locked.architecture}` : pkg.locked.name;
}

/**
 * The package's conffiles that are in `tree` as regular files, in the order the package lists them, hashed
 * from the tree. Conffiles the strip rules removed are left out: dpkg would report them as missing otherwise.
 */
export function conffilesOf(tree: FileTree, pkg: TreePackage): Conffile[] {
  const out: Conffile[] = [];
  for (const path of pkg.conffiles ?? []) {
    const node = tree.nodes.get(path.replace(/^\/+/, ''));
    if (node?.type !== 'file' && node?.type !== 'hardlink') continue;
    out.push({ path, md5: dataDigests(node).md5 });
  }
  return out;
}

/**
 * One stanza of the status file: the control fields in their order with `Status` right after `Package`, and
 * `Conffiles` (one ` <path> <md5>` line each) before `Description`, where dpkg writes it.
 */
export function dpkgStatusStanza(
  pkg: TreePackage,
  conffiles: readonly Conffile[],
  state: PackageState = 'installed',
): string {
  const fields: [string, string][] = [];
  const conf: [string, string] = ['Conffiles', conffiles.map((c) => `\n ${c.path} ${c.md5}`).join('')];
  let placed = conffiles.length === 0;
  for (const [name, value] of pkg.control.fields) {
    const lower = name.toLowerCase();
    if (lower === 'status' || lower === 'conffiles') continue;
    if (lower === 'description' && !placed) {
      fields.push(conf);
      placed = true;
    }
    fields.push([name, value]);
    if (lower === 'package') fields.push(['Status', `install ok ${state}`]);
  }
  if (!placed) fields.push(conf);
  return serializeParagraph(fields);
}

/** The `.list` file: `/.`, then each path absolute, in byte order (so every directory precedes its content). */
export function fileListText(paths: readonly string[]): string {
  return ['/.', ...[...paths].sort(comparePaths).map((p) => `/${p}`)].map((l) => `${l}\n`).join('');
}

/** deb-md5sums(5) lines for the package's regular files, by path; conffiles are checked through status instead. */
export function infoMd5sumsText(tree: FileTree, paths: readonly string[], conffiles: readonly Conffile[]): string {
  const skip = new Set(conffiles.map((c) => c.path.replace(/^\/+/, '')));
  const lines: string[] = [];
  for (const path of [...paths].sort(comparePaths)) {
    const node = tree.nodes.get(path);
    if ((node?.type === 'file' || node?.type === 'hardlink') && !skip.has(path)) {
      lines.push(`${dataDigests(node).md5}  ${path}\n`);
    }
  }
  return lines.join('');
}

export interface DpkgDatabaseOptions {
  /** dpkg's native architecture (the lock's Debian architecture, e.g. `amd64`). */
  readonly architecture: string;
  readonly mtime: number;
  /**
   * `installed` (default): the database of a system whose packages were all configured. `unpacked`: files in
   * place, maintainer scripts and trigger interests recorded, nothing configured yet, as dpkg leaves a system
   * after `dpkg --unpack`; the build then runs `dpkg --configure -a` on it (configure.ts).
   */
  readonly state?: PackageState;
}

/**
 * The whole database for the packages of `tree`. Ownership is read from `owned` (the tree as assembled, before
 * generated files replaced any package path) so `dpkg -S` still names the package of a replaced file, while
 * checksums come from `tree`, the files as finally shipped, so `dpkg --verify` agrees with the image.
 */
export function dpkgDatabaseNodes(owned: FileTree, tree: FileTree, opts: DpkgDatabaseOptions): FileNode[] {
  const { mtime } = opts;
  const pathsOf = pathsByOwner(owned);
  const packages = [...tree.packages].sort((a, b) => comparePaths(a.locked.name, b.locked.name));
  const stanzas: string[] = [];
  const nodes: FileNode[] = [dirNode(DPKG_DIR, { mtime }), dirNode(DPKG_INFO, { mtime })];
  const state = opts.state ?? 'installed';
  for (const pkg of packages) {
    const conffiles = conffilesOf(owned, pkg);
    stanzas.push(dpkgStatusStanza(pkg, conffiles, state));
    const stem = `${DPKG_INFO}/${infoName(pkg)}`;
    if (state === 'unpacked') nodes.push(...controlFileNodes(stem, pkg, mtime));
    const paths = pathsOf.get(pkg.locked.name) ?? [];
    nodes.push(fileNode(`${stem}.list`, fileListText([...(pkg.mergedDirs ?? []), ...paths]), { mtime }));
    const sums = infoMd5sumsText(tree, paths, conffiles);
    // Written even when empty (a package of only links), as dpkg does: `dpkg --audit` reports a missing one.
    nodes.push(fileNode(`${stem}.md5sums`, sums, { mtime }));
    if (conffiles.length > 0) {
      nodes.push(fileNode(`${stem}.conffiles`, conffiles.map((c) => `${c.path}\n`).join(''), { mtime }));
    }
  }
  nodes.push(
    fileNode(DPKG_STATUS, stanzas.join('\n'), { mtime }),
    fileNode(`${DPKG_DIR}/available`, '', { mtime }),
    fileNode(`${DPKG_DIR}/diversions`, '', { mtime }),
    fileNode(`${DPKG_DIR}/statoverride`, '', { mtime }),
    fileNode(`${DPKG_DIR}/arch`, `${opts.architecture}\n`, { mtime }),
    // dpkg ≥ 1.16 records the layout of info/ here; "1" is the multiarch-aware layout used above.
    fileNode(`${DPKG_INFO}/format`, '1\n', { mtime }),
  );
  return nodes;
}

/** info/<pkg>.<member>: maintainer scripts, triggers, shlibs, debconf templates, as dpkg --unpack stores them. */
function controlFileNodes(stem: string, pkg: TreePackage, mtime: number): FileNode[] {
  return (pkg.controlFiles ?? []).map((m) => fileNode(`${stem}.${m.name}`, m.data, { mtime, mode: m.mode }));
}

/** Every path of the tree grouped by the packages owning it (a shared directory is listed by each). */
function pathsByOwner(tree: FileTree): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const node of tree.nodes.values()) {
    for (const owner of node.owners) {
      const list = out.get(owner) ?? [];
      list.push(node.path);
      out.set(owner, list);
    }
  }
  return out;
}
