import type { FileNode } from '../file-tree.ts';
import { type Group, groupText } from './group.ts';
import { dirNode, fileNode } from './nodes.ts';
import type { Account } from './passwd.ts';
import { passwdText } from './passwd.ts';

/** Homes that must not be created (Debian's convention for system accounts without one). */
const NO_HOME = new Set(['/', '/nonexistent']);

/**
 * The account files and the directories every image has: `/etc/passwd`, `/etc/group`, each account's home
 * (0700, owned by the account, as `adduser` makes it), `/home`, and `/tmp` with the sticky bit (1777, FHS 3.0
 * §3.18). Accounts are as returned by `resolveAccounts`.
 */
export function filesystemNodes(accounts: readonly Account[], groups: readonly Group[], mtime: number): FileNode[] {
  const nodes: FileNode[] = [
    fileNode('etc/passwd', passwdText(accounts), { mtime }),
    fileNode('etc/group', groupText(accounts, groups), { mtime }),
    dirNode('tmp', { mtime, mode: 0o1777 }),
    dirNode('home', { mtime }),
  ];
  for (const a of accounts) {
    if (NO_HOME.has(a.home)) continue;
    nodes.push(dirNode(a.home.replace(/^\/+/, '').replace(/\/+$/, ''), { mtime, mode: 0o700, uid: a.uid, gid: a.gid }));
  }
  return nodes;
}
