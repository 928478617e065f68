import { compareVersions, isValidVersion } from '../debian/index.ts';
import type { PackageChange, PackageChangeKind, PackageSide } from './types.ts';

/** One installed package as the diff sees it: its name plus what PackageSide reports. */
export interface DiffPackage extends PackageSide {
  readonly name: string;
}

/** `type/name` pairs that appear more than once in a list (multi-arch: `libc6` for amd64 and i386). */
function multiArchNames(pkgs: readonly DiffPackage[]): Set<string> {
  const seen = new Set<string>();
  const multi = new Set<string>();
  for (const p of pkgs) (seen.has(typed(p)) ? multi : seen).add(typed(p));
  return multi;
}

const typed = (p: DiffPackage) => `${p.type}/${p.name}`;

/** The name a package is shown and paired under: `name`, or `name:arch` when it is multi-arch on either side. */
function displayName(p: DiffPackage, multi: ReadonlySet<string>): string {
  return multi.has(typed(p)) ? `${p.name}:${p.arch}` : p.name;
}

/**
 * Keys packages by ecosystem and name, so a Python `six` never pairs with a Debian `six`. A name installed for
 * several architectures on either side is keyed `name:arch` on both sides, as dpkg prints it, so `libc6:amd64`
 * still pairs with `libc6:amd64` and no package is dropped.
 */
function byKey(pkgs: readonly DiffPackage[], multi: ReadonlySet<string>): Map<string, DiffPackage> {
  const out = new Map<string, DiffPackage>();
  for (const p of pkgs) out.set(`${displayName(p, multi)}\0${p.type}`, p);
  return out;
}

/**
 * Direction of a version change per dpkg's ordering (Debian Policy §5.6.12). A version dpkg would reject
 * (foreign or corrupt metadata) cannot be ordered; it falls back to plain string order so the diff still
 * says something, rather than failing the whole comparison.
 */
function versionChange(target: string, baseline: string): PackageChangeKind {
  if (target === baseline) return 'unchanged';
  const c =
    isValidVersion(target) && isValidVersion(baseline) ? compareVersions(target, baseline) : target < baseline ? -1 : 1;
  return c === 0 ? 'unchanged' : c > 0 ? 'upgraded' : 'downgraded';
}

function strip(p: DiffPackage): PackageSide {
  const { name: _name, ...side } = p;
  return side;
}

/**
 * Diffs two package lists. Returns one entry per package of either side, sorted by name then type (see byKey): `added` (only in the
 * target), `removed` (only in the baseline), `upgraded`/`downgraded` (target version higher/lower than the
 * baseline's), `unchanged`. Pure.
 */
export function diffPackages(target: readonly DiffPackage[], baseline: readonly DiffPackage[]): PackageChange[] {
  const multi = new Set([...multiArchNames(target), ...multiArchNames(baseline)]);
  const t = byKey(target, multi);
  const b = byKey(baseline, multi);
  // Keys are `name\0type`, so sorting them sorts by name, then ecosystem.
  const keys = [...new Set([...t.keys(), ...b.keys()])].sort();
  return keys.map((key) => {
    const tp = t.get(key);
    const bp = b.get(key);
    const [name = '', type = ''] = key.split('\0');
    const change: PackageChangeKind =
      tp === undefined ? 'removed' : bp === undefined ? 'added' : versionChange(tp.version, bp.version);
    return { name, type, change, target: tp ? strip(tp) : null, baseline: bp ? strip(bp) : null };
  });
}

/** The marker `docker scout compare` users know: `+` added, `-` removed, `↑` upgraded, `↓` downgraded. */
export const CHANGE_MARKER: Readonly<Record<PackageChangeKind, string>> = {
  added: '+',
  removed: '-',
  upgraded: '↑',
  downgraded: '↓',
  unchanged: ' ',
};
