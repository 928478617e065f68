import { fail } from '../../core/index.ts';
import type { FileNode, FileTree } from '../file-tree.ts';
import { dirNode, fileNode } from './nodes.ts';
import type { Account } from './passwd.ts';

/**
 * What apt needs in a dev image beyond its package files: the archive it may install from, written the way
 * Debian's own images do (`/etc/apt/sources.list.d/debian.sources`, deb822 format, sources.list(5)), the
 * `partial` download directories apt's maintainer scripts and first run would create, and the `_apt` sandbox
 * account apt drops privileges to when downloading. Only when apt is installed.
 */

export const DEBIAN_SOURCES = 'etc/apt/sources.list.d/debian.sources';

/** One archive of the distro, as the distro file lists it. */
export interface AptRepository {
  /** Archive root (`https://deb.debian.org/debian`). */
  readonly url: string;
  readonly suites: readonly string[];
  readonly components: readonly string[];
}

/** The `_apt` account as apt's postinst creates it: a system user in `nogroup`, no home, no login. */
export const APT_ACCOUNT: Account = { name: '_apt', uid: 42, gid: 65534, home: '/nonexistent' };

/** Keyrings debian-archive-keyring ships, newest layout first (trixie adds `.pgp`; bookworm has `.gpg`). */
const KEYRINGS = ['usr/share/keyrings/debian-archive-keyring.pgp', 'usr/share/keyrings/debian-archive-keyring.gpg'];

/** Whether the tree has apt installed. */
export function hasApt(tree: FileTree): boolean {
  return tree.packages.some((p) => p.locked.name === 'apt');
}

/**
 * The keyring apt should verify the archive with: the debian-archive-keyring package's own file when that
 * package is in the tree, else `undefined` (apt then falls back to its trusted.gpg.d fragments).
 */
export function archiveKeyring(tree: FileTree): string | undefined {
  if (!tree.packages.some((p) => p.locked.name === 'debian-archive-keyring')) return undefined;
  const found = KEYRINGS.find((k) => tree.nodes.get(k)?.type === 'file');
  return found === undefined ? undefined : `/${found}`;
}

/**
 * deb822 sources: one paragraph per repository (`Types: deb`, URIs, Suites, Components, Signed-By when a keyring
 * is known), separated by blank lines. Throws INVALID_INPUT for a value that would break the format (blanks in
 * a URL, suite or component, or an empty list).
 */
export function debianSourcesText(repos: readonly AptRepository[], keyring?: string): string {
  return repos
    .map((r) => {
      const lines = [
        'Types: deb',
        `URIs: ${word(r.url, 'URI')}`,
        `Suites: ${words(r.suites, 'suite')}`,
        `Components: ${words(r.components, 'component')}`,
        ...(keyring === undefined ? [] : [`Signed-By: ${word(keyring, 'keyring path')}`]),
      ];
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

/**
 * Sources file and download directories (`/var/cache/apt/archives/partial`, `/var/lib/apt/lists/partial`,
 * 0700 and owned by `_apt` as apt leaves them), or nothing when apt is not in the tree.
 */
export function aptNodes(tree: FileTree, repos: readonly AptRepository[], mtime: number): FileNode[] {
  if (!hasApt(tree) || repos.length === 0) return [];
  const partial = { mtime, mode: 0o700, uid: APT_ACCOUNT.uid, gid: 0 };
  return [
    fileNode(DEBIAN_SOURCES, debianSourcesText(repos, archiveKeyring(tree)), { mtime }),
    dirNode('var/cache/apt/archives/partial', partial),
    dirNode('var/lib/apt/lists/partial', partial),
  ];
}

function word(value: string, what: string): string {
  if (!/^[^\s#]+$/.test(value)) fail('INVALID_INPUT', `apt sources: invalid ${what} "${value.slice(0, 200)}"`);
  return value;
}

function words(values: readonly string[], what: string): string {
  if (values.length === 0) fail('INVALID_INPUT', `apt sources: a repository has no ${what}`);
  return values.map((v) => word(v, what)).join(' ');
}
