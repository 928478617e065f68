import { SEVERITIES, type Severity, type SeverityCounts } from '../vuln/index.ts';
import type {
  AttackSurface,
  AttackSurfaceDelta,
  CompareResult,
  FileChange,
  FilesDelta,
  ImageOverview,
  PackageChange,
} from './types.ts';

/** What every renderer accepts. */
export interface RenderOptions {
  /** Leave out packages whose version did not change (`--ignore-unchanged`). */
  readonly ignoreUnchanged?: boolean;
}

/** Letters of the severity summary, the same as `ironclad scan` prints (N = negligible, ? = unknown). */
const LETTER: Readonly<Record<Severity, string>> = {
  critical: 'C',
  high: 'H',
  medium: 'M',
  low: 'L',
  negligible: 'N',
  unknown: '?',
};

/** `0C 1H 5M 14L 3N 2?`, every severity. */
export function severityLine(c: SeverityCounts): string {
  return SEVERITIES.map((s) => `${c[s]}${LETTER[s]}`).join(' ');
}

/** Only the non-zero severities (`1H 2M`), or `0` when there are none: short enough for a package row. */
export function severityShort(c: SeverityCounts | null): string {
  if (c === null) return '';
  const parts = SEVERITIES.filter((s) => c[s] > 0).map((s) => `${c[s]}${LETTER[s]}`);
  return parts.length === 0 ? '0' : parts.join(' ');
}

/** A delta with its sign (`+3`, `-2`), or the empty string for zero. */
export function signed(n: number, format: (v: number) => string = String): string {
  if (n === 0) return '';
  return n > 0 ? `+${format(n)}` : `-${format(-n)}`;
}

/** Decimal units, like `docker images` and `ironclad build`. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/**
 * Vulnerability summary of one side, or the reason it is missing. It says whether VEX was applied, since the
 * counts leave out what VEX suppressed (as `scan` does): `C0 H1 M0 L0 (VEX: 1 suppressed, 1 document)`.
 */
export function vulnCell(o: ImageOverview): string {
  const v = o.vulnerabilities;
  if (!v.available) return `n/a (${v.reason})`;
  const docs = `${v.vex.length} document${v.vex.length === 1 ? '' : 's'}`;
  return `${severityLine(v.counts)} (${v.vex.length === 0 ? 'no VEX' : `VEX: ${v.suppressedByVex} suppressed, ${docs}`})`;
}

/**
 * `SOURCE@REVISION` from the OCI labels, then what Ironclad's labels say in parentheses (`(ironclad runtime,
 * hardened, debian-12)`); the empty string when the image carries neither.
 */
export function provenanceCell(o: ImageOverview): string {
  const p = o.provenance;
  if (p === null) return '';
  const oci = [p.source ?? '', p.revision === null ? '' : `@${p.revision}`].join('').replace(/^@/, '');
  const ours = ['variant', 'kind', 'distro']
    .map((k) => p.ironclad[`dev.ironclad.${k}`])
    .filter((v): v is string => v !== undefined);
  const tail = ours.length > 0 ? `ironclad ${ours.join(', ')}` : '';
  return oci !== '' && tail !== '' ? `${oci} (${tail})` : oci || tail;
}

/** Shown packages: all, or only changed ones with `ignoreUnchanged`. */
export function shownPackages(r: CompareResult, o: RenderOptions): readonly PackageChange[] {
  return o.ignoreUnchanged ? r.packages.filter((p) => p.change !== 'unchanged') : r.packages;
}

/** Package counts by kind of change, in the order docker scout prints them. */
export function packageTally(r: CompareResult): { marker: string; count: number; label: string }[] {
  const n = (k: PackageChange['change']) => r.packages.filter((p) => p.change === k).length;
  return [
    { marker: '-', count: n('removed'), label: 'removed' },
    { marker: '↑', count: n('upgraded'), label: 'upgraded' },
    { marker: '↓', count: n('downgraded'), label: 'downgraded' },
    { marker: '+', count: n('added'), label: 'added' },
    { marker: ' ', count: n('unchanged'), label: 'unchanged' },
  ];
}

/** One row per attack-surface category: label, target value, baseline value, delta. */
export function surfaceRows(t: AttackSurface, b: AttackSurface, d: AttackSurfaceDelta): string[][] {
  const names = (xs: readonly { name: string }[]) => xs.map((x) => x.name).join(', ') || 'none';
  const count = (xs: readonly unknown[]) => String(xs.length);
  const listDelta = (x: { added: readonly unknown[]; removed: readonly unknown[] }) =>
    [x.added.length > 0 ? `+${x.added.length}` : '', x.removed.length > 0 ? `-${x.removed.length}` : '']
      .filter(Boolean)
      .join(' ');
  return [
    ['shells', names(t.shells), names(b.shells), listDelta(d.shells)],
    ['package managers', names(t.packageManagers), names(b.packageManagers), listDelta(d.packageManagers)],
    ['setuid/setgid files', count(t.setuidFiles), count(b.setuidFiles), listDelta(d.setuidFiles)],
    ['executables', String(t.executables), String(b.executables), signed(d.executables)],
    ['login users', names(t.loginUsers), names(b.loginUsers), listDelta(d.loginUsers)],
    ['world-writable dirs', count(t.worldWritableDirs), count(b.worldWritableDirs), listDelta(d.worldWritableDirs)],
  ];
}

/** The `+ item` / `- item` lines under the attack-surface table, for the lists that changed. */
export function surfaceChanges(d: AttackSurfaceDelta): string[] {
  const lines: string[] = [];
  const push = <T>(label: string, x: { added: readonly T[]; removed: readonly T[] }, show: (v: T) => string) => {
    for (const v of x.removed) lines.push(`- ${label}: ${show(v)}`);
    for (const v of x.added) lines.push(`+ ${label}: ${show(v)}`);
  };
  push('shell', d.shells, (p) => p.path);
  push('package manager', d.packageManagers, (p) => p.path);
  push('setuid/setgid', d.setuidFiles, (f) => `${f.path} (${f.mode})`);
  push('login user', d.loginUsers, (u) => `${u.name} (uid ${u.uid}, ${u.shell})`);
  push('world-writable', d.worldWritableDirs, (w) => `${w.path}${w.sticky ? ' (sticky)' : ''}`);
  return lines;
}

/** How many paths the text and Markdown reports list per kind of change; JSON lists all. */
const FILES_SHOWN = 50;

/** The file delta as lines: a tally, then up to {@link FILES_SHOWN} paths of each kind. */
export function filesSection(d: FilesDelta): string[] {
  const out = ['## Files', ''];
  const total = d.added.length + d.removed.length + d.changed.length;
  if (total === 0) return [...out, '  no differences'];
  out.push(
    `  ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed (type, mode, owner, size or content)`,
  );
  const list = (marker: string, paths: readonly string[]) => {
    for (const p of paths.slice(0, FILES_SHOWN)) out.push(`  ${marker} ${p}`);
    if (paths.length > FILES_SHOWN)
      out.push(`  ${marker} ... and ${paths.length - FILES_SHOWN} more (--format json lists all)`);
  };
  list(
    '+',
    d.added.map((f) => f.path),
  );
  list(
    '-',
    d.removed.map((f) => f.path),
  );
  list(
    '~',
    d.changed.map((c) => `${c.path} (${describeChange(c)})`),
  );
  return out;
}

function describeChange(c: FileChange): string {
  const parts: string[] = [];
  const { target: t, baseline: b } = c;
  if (t.type !== b.type) parts.push(`${b.type} → ${t.type}`);
  if (t.mode !== b.mode) parts.push(`mode ${b.mode} → ${t.mode}`);
  if (t.owner !== b.owner) parts.push(`owner ${b.owner} → ${t.owner}`);
  if (t.size !== b.size) parts.push(`size ${b.size} → ${t.size}`);
  if (t.target !== b.target) parts.push(`target ${b.target ?? ''} → ${t.target ?? ''}`);
  if (t.sha256 !== b.sha256)
    parts.push(`content sha256:${(b.sha256 ?? '').slice(0, 12)} → sha256:${(t.sha256 ?? '').slice(0, 12)}`);
  return parts.join(', ');
}
