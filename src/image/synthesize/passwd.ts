import { fail } from '../../core/index.ts';

/**
 * The account database of an image (passwd(5)). Hardened images follow distroless: `root`, `nonroot`
 * (65532:65532, home /home/nonroot) and `nobody`, plus the accounts a definition declares. No code runs at
 * build time, so these files are written directly instead of by adduser or base-passwd's maintainer scripts.
 */

export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  /** Login shell; defaults to {@link NOLOGIN}. */
  readonly shell?: string;
  /** GECOS field; defaults to the name. */
  readonly gecos?: string;
}

/** Debian's path for the no-login shell (base-passwd uses /usr/sbin/nologin since bookworm). */
export const NOLOGIN = '/usr/sbin/nologin';

/** Built-in accounts. 65534 is `nobody`/`nogroup` in Debian; 65532 is distroless' `nonroot`. */
export const BASE_ACCOUNTS: readonly Account[] = [
  { name: 'root', uid: 0, gid: 0, home: '/root' },
  { name: 'nonroot', uid: 65532, gid: 65532, home: '/home/nonroot' },
  { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' },
];

export type VariantKind = 'runtime' | 'dev';

/**
 * Built-in plus declared accounts, sorted by uid, with shells settled: runtime images have no shell, so every
 * account gets nologin; dev images give root `/bin/bash`. Throws DEFINITION_INVALID for a declared account
 * that reuses a built-in name or uid, or a field that would corrupt the colon-separated files.
 */
export function resolveAccounts(declared: readonly Account[], kind: VariantKind): Account[] {
  const all = [...BASE_ACCOUNTS, ...declared];
  const names = new Set<string>();
  const uids = new Set<number>();
  for (const a of all) {
    if (names.has(a.name) || uids.has(a.uid))
      fail('DEFINITION_INVALID', `account ${a.name} (${a.uid}) is declared twice`);
    names.add(a.name);
    uids.add(a.uid);
    for (const v of [a.name, a.home, a.shell ?? '', a.gecos ?? '']) {
      if (/[:\n]/.test(v)) fail('DEFINITION_INVALID', `account ${a.name}: fields may not contain ":" or newlines`);
    }
  }
  return all.map((a) => ({ ...a, shell: shellFor(a, kind) })).sort((a, b) => a.uid - b.uid);
}

function shellFor(a: Account, kind: VariantKind): string {
  if (kind === 'dev' && a.uid === 0) return '/bin/bash';
  if (kind === 'runtime') return NOLOGIN;
  return a.shell ?? NOLOGIN;
}

/** `/etc/passwd`: `name:x:uid:gid:gecos:home:shell`, one line per account, in the given order. */
export function passwdText(accounts: readonly Account[]): string {
  return accounts
    .map((a) => `${a.name}:x:${a.uid}:${a.gid}:${a.gecos ?? a.name}:${a.home}:${a.shell ?? NOLOGIN}\n`)
    .join('');
}
