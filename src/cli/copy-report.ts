import { fail, jsonOutput } from '../core/index.ts';
import type { CopiedItem, CopyReport } from '../registry/index.ts';
import { formatBytes, renderTable } from './table.ts';

/** How push, pull, copy and mirror print their result: a table for people, or JSON for scripts. */
export type ReportFormat = 'text' | 'json';

/** `--format` → ReportFormat; USAGE for anything else. */
export function reportFormat(value: string): ReportFormat {
  if (value !== 'text' && value !== 'json') fail('USAGE', `--format ${value}: expected text or json`);
  return value;
}

/** One copy as a JSON document (stable field names: scripts read them). */
export function copyReportJson(source: string, destination: string, report: CopyReport): object {
  const item = (i: CopiedItem) => ({
    kind: i.kind,
    digest: i.digest,
    mediaType: i.mediaType,
    size: i.size,
    ...(i.mounted && { mounted: true }),
  });
  return {
    source,
    destination,
    digest: report.descriptor.digest,
    mediaType: report.descriptor.mediaType,
    size: report.descriptor.size,
    transferred: report.transferred.map(item),
    skipped: report.skipped.map(item),
    bytesTransferred: report.bytesTransferred,
    bytesSkipped: report.bytesSkipped,
    platformTags: report.platformTags,
  };
}

/** The one-line summary: counts and bytes moved and skipped. */
export function copySummary(report: CopyReport): string {
  const blobs = report.transferred.filter((i) => i.kind === 'blob');
  const mounted = blobs.filter((i) => i.mounted).length;
  const manifests = report.transferred.length - blobs.length;
  return (
    `${blobs.length} blob${blobs.length === 1 ? '' : 's'} and ${manifests} manifest${manifests === 1 ? '' : 's'} ` +
    `transferred (${formatBytes(report.bytesTransferred)}${mounted > 0 ? `, ${mounted} mounted` : ''}), ` +
    `${report.skipped.length} already present (${formatBytes(report.bytesSkipped)})`
  );
}

/** Table of every item (transferred first, then skipped), the summary, and the digest of what was copied. */
export function renderCopyReport(verb: string, destination: string, report: CopyReport): string {
  const row = (status: string) => (i: CopiedItem) => [
    i.mounted ? 'mounted' : status,
    i.kind,
    i.digest.slice(7, 19),
    formatBytes(i.size),
    i.mediaType,
  ];
  const rows = [...report.transferred.map(row('transferred')), ...report.skipped.map(row('present'))];
  return [
    renderTable(['STATUS', 'KIND', 'DIGEST', 'SIZE', 'MEDIA TYPE'], rows, [3]),
    '',
    copySummary(report),
    `${verb} ${destination}`,
    `digest: ${report.descriptor.digest}`,
    ...(report.platformTags.length > 0 ? [`platform tags: ${report.platformTags.join(', ')}`] : []),
  ].join('\n');
}

/** Renders one copy in `format`. */
export function renderCopy(
  format: ReportFormat,
  verb: string,
  ends: { readonly source: string; readonly destination: string },
  report: CopyReport,
): string {
  return format === 'json'
    ? jsonOutput('copy', copyReportJson(ends.source, ends.destination, report))
    : renderCopyReport(verb, ends.destination, report);
}
