import type { Account } from './passwd.ts';

/** A declared group: fixed gid and its supplementary members (user names). */
export interface Group {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

/**
 * `/etc/group` (group(5)): the declared groups, plus one group per other distinct gid of the accounts, named
 * after the first account with that gid as its uid (each account's primary group shares its name), except 65534,
 * which Debian calls `nogroup`. Sorted by gid; members are comma-separated in the order given.
 */
export function groupText(accounts: readonly Account[], declared: readonly Group[] = []): string {
  const groups = new Map<number, { name: string; members: readonly string[] }>();
  for (const g of declared) groups.set(g.gid, { name: g.name, members: g.members });
  for (const a of [...accounts].sort((x, y) => x.uid - y.uid)) {
    if (groups.has(a.gid)) continue;
    const name = a.gid === 65534 ? 'nogroup' : (accounts.find((o) => o.uid === a.gid)?.name ?? a.name);
    groups.set(a.gid, { name, members: [] });
  }
  return [...groups]
    .sort(([a], [b]) => a - b)
    .map(([gid, g]) => `${g.name}:x:${gid}:${g.members.join(',')}\n`)
    .join('');
}
