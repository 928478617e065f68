import { z } from 'zod';
import { absolutePath, id } from './fields.ts';

/**
 * The `accounts` section: users and groups with fixed ids, written into /etc/passwd and /etc/group by the build
 * (no adduser runs). Fixed ids matter for services: a volume's files keep their owner across image versions.
 */

export const accountName = z
  .string()
  .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a POSIX account name (lowercase, at most 32 characters)');

const user = z
  .strictObject({
    name: accountName,
    uid: id,
    gid: id
      .optional()
      .describe('Primary group id; default the uid. A group of the user name is made when none has it.'),
    home: absolutePath
      .default('/nonexistent')
      .describe('Home directory, created 0700 and owned by the user; "/nonexistent" (the default) is not created.'),
    shell: absolutePath.optional().describe('Login shell in dev variants; runtime variants always get nologin.'),
    groups: z.array(accountName).default([]).describe('Supplementary groups (declared group names).'),
  })
  .transform((u) => ({
    name: u.name,
    uid: u.uid,
    gid: u.gid ?? u.uid,
    home: u.home,
    ...(u.shell === undefined ? {} : { shell: u.shell }),
    groups: u.groups,
  }))
  .describe('A user with a fixed uid.');

const group = z
  .strictObject({
    name: accountName,
    gid: id,
    members: z.array(accountName).default([]).describe('Users with this group as a supplementary group.'),
  })
  .describe('A group with a fixed gid.');

export const accounts = z
  .strictObject({
    users: z.array(user).default([]),
    groups: z.array(group).default([]),
  })
  .default({ users: [], groups: [] })
  .describe('Users and groups the image declares besides root, nonroot (65532) and nobody (65534).');

export type DefinitionAccounts = z.output<typeof accounts>;
export type DefinitionUser = DefinitionAccounts['users'][number];
export type DefinitionGroup = DefinitionAccounts['groups'][number];

/** A problem found by a cross-field rule, relative to the definition root. */
export interface FieldIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * Cross-field rules of `accounts`: names and ids unique and not those of the built-in accounts, every membership
 * naming a declared user or group. Pure; `builtinUsers`/`builtinGroups` map names to ids.
 */
export function accountIssues(
  a: DefinitionAccounts,
  builtinUsers: Readonly<Record<string, { uid: number }>>,
  builtinGroups: Readonly<Record<string, number>>,
): FieldIssue[] {
  const out: FieldIssue[] = [];
  const builtinUids = new Set(Object.values(builtinUsers).map((u) => u.uid));
  const builtinGids = new Set(Object.values(builtinGroups));
  const userNames = new Set<string>();
  const uids = new Set<number>();
  for (const [i, u] of a.users.entries()) {
    const at = (k: string): (string | number)[] => ['accounts', 'users', i, k];
    if (u.name in builtinUsers || userNames.has(u.name))
      out.push({ path: at('name'), message: `user "${u.name}" is already declared` });
    if (builtinUids.has(u.uid) || uids.has(u.uid))
      out.push({ path: at('uid'), message: `uid ${u.uid} is already taken` });
    userNames.add(u.name);
    uids.add(u.uid);
  }
  const groupNames = new Set<string>();
  const gids = new Set<number>();
  for (const [i, g] of a.groups.entries()) {
    const at = (k: string): (string | number)[] => ['accounts', 'groups', i, k];
    if (g.name in builtinGroups || groupNames.has(g.name))
      out.push({ path: at('name'), message: `group "${g.name}" is already declared` });
    if (builtinGids.has(g.gid) || gids.has(g.gid))
      out.push({ path: at('gid'), message: `gid ${g.gid} is already taken` });
    groupNames.add(g.name);
    gids.add(g.gid);
    for (const [j, m] of g.members.entries()) {
      if (!userNames.has(m))
        out.push({ path: ['accounts', 'groups', i, 'members', j], message: `"${m}" is not a declared user` });
    }
  }
  for (const [i, u] of a.users.entries()) {
    // A primary gid that no declared group has gets a group named after the user, which must not clash.
    if (!gids.has(u.gid) && (groupNames.has(u.name) || builtinGids.has(u.gid))) {
      out.push({
        path: ['accounts', 'users', i, 'gid'],
        message: `gid ${u.gid} is not declared under accounts.groups`,
      });
    }
    for (const [j, g] of u.groups.entries()) {
      if (!groupNames.has(g))
        out.push({ path: ['accounts', 'users', i, 'groups', j], message: `"${g}" is not a declared group` });
    }
  }
  return out;
}
