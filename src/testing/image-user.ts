import { fail } from '../core/index.ts';

/** A user as the OCI runtime needs it: numeric ids, plus the home directory when /etc/passwd names one. */
export interface ResolvedUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: readonly number[];
  readonly home?: string;
}

/** The account databases of an image, as text; either may be absent (distroless images often have neither). */
export interface AccountFiles {
  readonly passwd?: string;
  readonly group?: string;
}

/** Largest /etc/passwd or /etc/group we read; real ones are a few KiB. */
export const MAX_ACCOUNT_FILE_BYTES = 1024 * 1024;

const MAX_ID = 0xffff_fffe;
const NUMERIC = /^\d{1,10}$/;

interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

/** passwd(5): `name:password:UID:GID:GECOS:directory:shell`; malformed lines are ignored, as libc does. */
function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || !NUMERIC.test(f[2] ?? '') || !NUMERIC.test(f[3] ?? '')) continue;
    out.push({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! });
  }
  return out;
}

/** group(5): `group_name:password:GID:user_list`. */
function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || !NUMERIC.test(f[2] ?? '')) continue;
    out.push({ name: f[0]!, gid: Number(f[2]), members: (f[3] ?? '').split(',').filter((m) => m !== '') });
  }
  return out;
}

function checkId(n: number, spec: string): number {
  if (n > MAX_ID) fail('INVALID_INPUT', `user ${JSON.stringify(spec)}: id ${n} is out of range`);
  return n;
}

/**
 * Resolves an image config `User` (OCI config.md: `user`, `uid`, `user:group`, `uid:gid`, `uid:group`,
 * `user:gid`; empty means root) against the image's own account files, the way docker and containerd do:
 * names are looked up in the image's /etc/passwd and /etc/group, a numeric uid missing from passwd is allowed
 * (gid 0 then, unless given), and supplementary groups come from /etc/group memberships. Pure.
 * @throws IroncladError INVALID_INPUT when a name is not found or an id is out of range.
 */
export function resolveImageUser(spec: string, files: AccountFiles): ResolvedUser {
  const users = parsePasswd(files.passwd ?? '');
  const groups = parseGroup(files.group ?? '');
  const [userPart = '', groupPart] = spec.trim().split(':', 2) as [string?, string?];
  const userSpec = userPart === '' ? '0' : userPart;
  const entry = NUMERIC.test(userSpec)
    ? users.find((u) => u.uid === Number(userSpec))
    : users.find((u) => u.name === userSpec);
  if (entry === undefined && !NUMERIC.test(userSpec)) {
    fail('INVALID_INPUT', `user ${JSON.stringify(userSpec)} is not in the image's /etc/passwd`, {
      hint: 'use a numeric uid:gid, or add the account to the image',
    });
  }
  const uid = checkId(entry?.uid ?? Number(userSpec), spec);
  let gid = entry?.gid ?? 0;
  if (groupPart !== undefined && groupPart !== '') {
    if (NUMERIC.test(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (g === undefined) fail('INVALID_INPUT', `group ${JSON.stringify(groupPart)} is not in the image's /etc/group`);
      gid = g.gid;
    }
  }
  checkId(gid, spec);
  const additionalGids =
    entry === undefined
      ? []
      : [...new Set(groups.filter((g) => g.members.includes(entry.name) && g.gid !== gid).map((g) => g.gid))];
  return { uid, gid, additionalGids, ...(entry !== undefined && entry.home !== '' && { home: entry.home }) };
}

/** Whether a config `User` is numeric (`uid` or `uid:gid`), which Kubernetes' runAsNonRoot needs to verify it. */
export function numericUser(spec: string | undefined): { uid: number; gid?: number } | undefined {
  const m = /^(\d{1,10})(?::(\d{1,10}))?$/.exec((spec ?? '').trim());
  if (m === null) return undefined;
  return m[2] === undefined ? { uid: Number(m[1]) } : { uid: Number(m[1]), gid: Number(m[2]) };
}
