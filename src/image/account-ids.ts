import { fail } from '../core/index.ts';
import { BUILTIN_ACCOUNTS, BUILTIN_GROUPS, type ImageVariant, parseNumericUser } from '../definition/index.ts';
import type { Group } from './synthesize/group.ts';

/** Numeric ids, as they go into tar headers and the config's `User`. */
export interface Ids {
  readonly uid: number;
  readonly gid: number;
}

/** The run-as user of a variant as numeric ids; DEFINITION_INVALID when the name is not declared. */
export function runAsIds(variant: ImageVariant): Ids {
  const numeric = parseNumericUser(variant.user);
  if (numeric) return numeric;
  return userIds(variant, variant.user, 'user');
}

/**
 * Ids of a `paths` owner, `user[:group]` as chown takes it: names are looked up in the built-in and declared
 * accounts; a number is used as is. Without a group, a named user's primary group is used, and a bare number
 * stands for the same gid.
 */
export function ownerIds(variant: ImageVariant, owner: string): Ids {
  const [user = '', group] = owner.split(':');
  const u = /^\d+$/.test(user) ? { uid: Number(user), gid: Number(user) } : userIds(variant, user, `owner ${owner}`);
  if (group === undefined) return u;
  return { uid: u.uid, gid: /^\d+$/.test(group) ? Number(group) : groupId(variant, group, owner) };
}

function userIds(variant: ImageVariant, name: string, what: string): Ids {
  const builtin = BUILTIN_ACCOUNTS[name as keyof typeof BUILTIN_ACCOUNTS];
  if (builtin) return { uid: builtin.uid, gid: builtin.gid };
  const declared = variant.accounts.users.find((a) => a.name === name);
  if (declared) return { uid: declared.uid, gid: declared.gid };
  return fail('DEFINITION_INVALID', `${what}: user ${name} is not declared`, {
    hint: 'declare it under accounts.users',
  });
}

function groupId(variant: ImageVariant, name: string, owner: string): number {
  const builtin = BUILTIN_GROUPS[name as keyof typeof BUILTIN_GROUPS];
  if (builtin !== undefined) return builtin;
  const declared = variant.accounts.groups.find((g) => g.name === name);
  if (declared) return declared.gid;
  // A user whose gid no declared group has gets a group of its own name (group.ts).
  const user = variant.accounts.users.find((u) => u.name === name);
  if (user && !variant.accounts.groups.some((g) => g.gid === user.gid)) return user.gid;
  return fail('DEFINITION_INVALID', `owner ${owner}: group ${name} is not declared`, {
    hint: 'declare it under accounts.groups',
  });
}

/** Declared groups with their members, from both sides of the membership (group members and user groups). */
export function declaredGroups(variant: ImageVariant): Group[] {
  const { users, groups } = variant.accounts;
  return groups.map((g) => ({
    name: g.name,
    gid: g.gid,
    members: [...new Set([...g.members, ...users.filter((u) => u.groups.includes(g.name)).map((u) => u.name)])],
  }));
}
