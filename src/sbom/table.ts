import type { SbomDocument } from './model.ts';

/**
 * Rows for `--format table`: one per package, sorted as in the document. The CLI renders them; this stays a pure
 * function of the model so any front end can reuse it.
 */
export const SBOM_TABLE_HEADER = ['NAME', 'VERSION', 'TYPE', 'ARCH', 'LICENSE'] as const;

export function sbomTableRows(doc: SbomDocument): string[][] {
  return doc.packages.map((p) => [p.name, p.version, p.type, p.arch ?? '', p.licenses]);
}

/** One summary line: image, package counts per type, unowned files. */
export function sbomSummaryLine(doc: SbomDocument): string {
  const counts = new Map<string, number>();
  for (const p of doc.packages) counts.set(p.type, (counts.get(p.type) ?? 0) + 1);
  const parts = [...counts].map(([t, n]) => `${n} ${t}`).join(', ');
  const u =
    doc.unowned === undefined ? '' : `; ${doc.unowned.unowned} of ${doc.unowned.total} files not owned by a package`;
  return `${doc.imageName}@${doc.imageDigest} (${doc.platform}): ${doc.packages.length} packages${parts === '' ? '' : ` (${parts})`}${u}`;
}
