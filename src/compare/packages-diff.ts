import { compareVersions, isValidVersion } from '../debian/index.ts';
import type { PackageChange, PackageChangeKind, PackageSide } from './types.ts';

/** One installed package as the diff sees it: its name plus what PackageSide reports. */
export interface DiffPackage extends PackageSide {
  readonly name: string;
}

/**
 * Keys packages by name. When one image has several architectures of a name (multi-arch `libc6:i386` next to
 * `libc6`), those get `name:arch`, as dpkg prints them, so no package is silently dropped.
 */
function byKey(pkgs: readonly DiffPackage[]): Map<string, DiffPackage> {
  const count = new Map<string, number>();
  for (const p of pkgs) count.set(p.name, (count.get(p.name) ?? 0) + 1);
  const out = new Map<string, DiffPackage>();
  for (const p of pkgs) out.set((count.get(p.name) ?? 0) > 1 ? `${p.name}:${p.arch}` : p.name, p);
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
 * Diffs two package lists. Returns one entry per package of either side, sorted by name: `added` (only in the
 * target), `removed` (only in the baseline), `upgraded`/`downgraded` (target version higher/lower than the
 * baseline's), `unchanged`. Pure.
 */
export function diffPackages(target: readonly DiffPackage[], baseline: readonly DiffPackage[]): PackageChange[] {
  const t = byKey(target);
  const b = byKey(baseline);
  const names = [...new Set([...t.keys(), ...b.keys()])].sort();
  return names.map((name) => {
    const tp = t.get(name);
    const bp = b.get(name);
    const change: PackageChangeKind =
      tp === undefined ? 'removed' : bp === undefined ? 'added' : versionChange(tp.version, bp.version);
    return { name, change, target: tp ? strip(tp) : null, baseline: bp ? strip(bp) : null };
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
