import type { Account } from './passwd.ts';

/**
 * `/etc/group` (group(5)): one group per distinct gid of the accounts, named after the first account with that
 * gid as its uid (each account's primary group shares its name), except 65534, which Debian calls `nogroup`.
 */
export function groupText(accounts: readonly Account[]): string {
  const groups = new Map<number, string>();
  for (const a of [...accounts].sort((x, y) => x.uid - y.uid)) {
    if (a.gid === 65534) groups.set(a.gid, 'nogroup');
    else if (!groups.has(a.gid)) groups.set(a.gid, accounts.find((o) => o.uid === a.gid)?.name ?? a.name);
  }
  return [...groups]
    .sort(([a], [b]) => a - b)
    .map(([gid, name]) => `${name}:x:${gid}:\n`)
    .join('');
}
