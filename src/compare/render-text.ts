import { CHANGE_MARKER } from './packages-diff.ts';
import {
  filesSection,
  formatBytes,
  packageTally,
  provenanceCell,
  type RenderOptions,
  severityShort,
  shownPackages,
  signed,
  surfaceChanges,
  surfaceRows,
  vulnCell,
} from './render-common.ts';
import type { CompareResult, KeyValueChange } from './types.ts';

/**
 * The terminal rendering, laid out like `docker scout compare`: an overview table of both images with the
 * delta next to the target's value, then attack surface, environment, labels and packages with change markers.
 */

/** Left-aligned columns separated by two spaces; trailing blanks trimmed. */
function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, [...c].length);
  }
  return rows.map((r) =>
    `${indent}${r.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - [...c].length)).join('  ')}`.trimEnd(),
  );
}

const withDelta = (value: string, delta: string) => (delta === '' ? value : `${value} (${delta})`);

function overview(r: CompareResult): string[] {
  const { target: t, baseline: b, delta: d } = r;
  const vulnDelta =
    d.vulnerabilities === null ? '' : d.vulnerabilities.total === 0 ? '' : `${signed(d.vulnerabilities.total)} total`;
  const rows = [
    ['', 'Target', 'Baseline'],
    ['reference', t.ref, b.ref],
    ['digest', t.digest, b.digest],
    ['tag', t.tag ?? '', b.tag ?? ''],
    ['platform', t.platform, b.platform],
    ['provenance', provenanceCell(t), provenanceCell(b)],
    ['user', t.user || 'root (unset)', b.user || 'root (unset)'],
    ['vulnerabilities', withDelta(vulnCell(t), vulnDelta), vulnCell(b)],
    [
      'size',
      withDelta(formatBytes(t.compressedSize), signed(d.compressedSize, formatBytes)),
      formatBytes(b.compressedSize),
    ],
    ['layers', withDelta(String(t.layers), signed(d.layers)), String(b.layers)],
    ['packages', withDelta(String(t.packageCount), signed(d.packageCount)), String(b.packageCount)],
  ];
  return ['## Overview', '', ...table(rows)];
}

function attackSurface(r: CompareResult): string[] {
  const { target, baseline, delta } = r.attackSurface;
  const rows = [['', 'Target', 'Baseline', 'Delta'], ...surfaceRows(target, baseline, delta)];
  const changes = surfaceChanges(delta).map((l) => `  ${l}`);
  return ['## Attack surface', '', ...table(rows), ...(changes.length > 0 ? ['', ...changes] : [])];
}

/** Changed keys as `- KEY=old` / `+ KEY=new`; unchanged keys are not listed. */
function keyValues(title: string, changes: readonly KeyValueChange[]): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    if (c.baseline !== null && c.change !== 'unchanged') lines.push(`  - ${c.key}=${c.baseline}`);
    if (c.target !== null && c.change !== 'unchanged') lines.push(`  + ${c.key}=${c.target}`);
  }
  return [`## ${title}`, '', ...(lines.length > 0 ? lines : ['  no differences'])];
}

function packages(r: CompareResult, o: RenderOptions): string[] {
  const tally = packageTally(r)
    .filter((x) => x.count > 0)
    .map((x) => `  ${x.marker} ${String(x.count).padStart(5)} packages ${x.label}`);
  const vulns = r.target.vulnerabilities.available || r.baseline.vulnerabilities.available;
  const header = ['', 'Package', 'Type', 'Target', 'Baseline', ...(vulns ? ['Target vulns', 'Baseline vulns'] : [])];
  const rows = shownPackages(r, o).map((p) => [
    CHANGE_MARKER[p.change],
    p.name,
    p.type,
    p.target?.version ?? '',
    p.baseline?.version ?? '',
    ...(vulns
      ? [severityShort(p.target?.vulnerabilities ?? null), severityShort(p.baseline?.vulnerabilities ?? null)]
      : []),
  ]);
  const body = rows.length > 0 ? ['', ...table([header, ...rows])] : [];
  return ['## Packages and vulnerabilities', '', ...(tally.length > 0 ? tally : ['  no packages']), ...body];
}

/** Renders a comparison for a terminal; ends without a newline. */
export function renderCompareText(r: CompareResult, o: RenderOptions = {}): string {
  return [
    ...overview(r),
    '',
    ...attackSurface(r),
    '',
    ...keyValues('Environment variables', r.environment),
    '',
    ...keyValues('Labels', r.labels),
    '',
    ...packages(r, o),
    '',
    ...filesSection(r.files),
  ].join('\n');
}
