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
 * GitHub-flavoured Markdown (GFM spec, "Tables (extension)"), for pull-request comments and job summaries.
 * Every cell is escaped: `|` would end the cell, and a newline would end the row.
 */

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const code = (text: string) => (text === '' ? '' : `\`${text.replace(/`/g, "'")}\``);

function gfmTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `|${header.map(() => ' --- ').join('|')}|`, ...rows.map(line)];
}

const withDelta = (value: string, delta: string) => (delta === '' ? value : `${value} (${delta})`);

function overview(r: CompareResult): string[] {
  const { target: t, baseline: b, delta: d } = r;
  const vulnDelta = d.vulnerabilities === null ? '' : signed(d.vulnerabilities.total);
  return [
    '## Overview',
    '',
    ...gfmTable(
      ['', 'Target', 'Baseline'],
      [
        ['Reference', code(t.ref), code(b.ref)],
        ['Digest', code(t.digest), code(b.digest)],
        ['Platform', t.platform, b.platform],
        ['Provenance', provenanceCell(t), provenanceCell(b)],
        ['User', t.user || 'root (unset)', b.user || 'root (unset)'],
        ['Vulnerabilities', withDelta(vulnCell(t), vulnDelta), vulnCell(b)],
        [
          'Size',
          withDelta(formatBytes(t.compressedSize), signed(d.compressedSize, formatBytes)),
          formatBytes(b.compressedSize),
        ],
        ['Packages', withDelta(String(t.packageCount), signed(d.packageCount)), String(b.packageCount)],
      ],
    ),
  ];
}

function attackSurface(r: CompareResult): string[] {
  const { target, baseline, delta } = r.attackSurface;
  const changes = surfaceChanges(delta).map((l) => `- \`${l.slice(0, 1)}\` ${l.slice(2)}`);
  return [
    '## Attack surface',
    '',
    ...gfmTable(['', 'Target', 'Baseline', 'Δ'], surfaceRows(target, baseline, delta)),
    ...(changes.length > 0 ? ['', ...changes] : []),
  ];
}

function keyValues(title: string, changes: readonly KeyValueChange[]): string[] {
  const rows = changes
    .filter((c) => c.change !== 'unchanged')
    .map((c) => [c.change, code(c.key), code(c.target ?? ''), code(c.baseline ?? '')]);
  return [
    `## ${title}`,
    '',
    ...(rows.length > 0 ? gfmTable(['', 'Key', 'Target', 'Baseline'], rows) : ['No differences.']),
  ];
}

function packages(r: CompareResult, o: RenderOptions): string[] {
  const tally = packageTally(r)
    .filter((x) => x.count > 0)
    .map((x) => `${x.count} ${x.label}`)
    .join(', ');
  const vulns = r.target.vulnerabilities.available || r.baseline.vulnerabilities.available;
  const rows = shownPackages(r, o).map((p) => [
    CHANGE_MARKER[p.change].trim(),
    code(p.name),
    p.type,
    p.target?.version ?? '',
    p.baseline?.version ?? '',
    ...(vulns
      ? [severityShort(p.target?.vulnerabilities ?? null), severityShort(p.baseline?.vulnerabilities ?? null)]
      : []),
  ]);
  const header = ['', 'Package', 'Type', 'Target', 'Baseline', ...(vulns ? ['Target vulns', 'Baseline vulns'] : [])];
  return [
    '## Packages and vulnerabilities',
    '',
    tally === '' ? 'No packages.' : `${tally}.`,
    ...(rows.length > 0 ? ['', ...gfmTable(header, rows)] : []),
  ];
}

/** Renders a comparison as GitHub-flavoured Markdown; ends with a newline. */
export function renderCompareMarkdown(r: CompareResult, o: RenderOptions = {}): string {
  const title = `# Comparing ${code(r.target.ref)} to ${code(r.baseline.ref)}`;
  return `${[
    title,
    '',
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
  ].join('\n')}\n`;
}
