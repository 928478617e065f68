import { outputSchema } from '../core/index.ts';
import type { Descriptor, Referrers } from '../oci/index.ts';
import type { HistoryEntry } from './history.ts';
import { describeMove } from './moves.ts';
import type { VulnRef } from './vulns.ts';

/** Artifact type of the changelog referrer; its layers are the JSON document, then the Markdown rendering. */
export const CHANGELOG_ARTIFACT_TYPE = 'application/vnd.dev.ironclad.changelog.v1+json';
export const CHANGELOG_JSON_MEDIA_TYPE = 'application/vnd.dev.ironclad.changelog.v1+json';
export const CHANGELOG_MARKDOWN_MEDIA_TYPE = 'text/markdown';
/** The `schema` of the changelog's JSON document (the convention of docs/json.md). */
export const CHANGELOG_SCHEMA = outputSchema('changelog');

/** What changed between an image and the one it replaced, as attached beside the new image. */
export interface Changelog {
  readonly schema: string;
  /** The image name and the tags that moved to it. */
  readonly image: string;
  readonly tags: readonly string[];
  /** The index this changelog is about, and the one its tags pointed at before (null for a first build). */
  readonly digest: string;
  readonly previous: string | null;
  readonly packages: HistoryEntry['packages'];
  /** For a customization whose base moved: the base's tag and the digests it moved between. */
  readonly base?: NonNullable<HistoryEntry['base']>;
  /** Absent when no vulnerability database was available to say. */
  readonly fixed?: readonly VulnRef[];
  readonly introduced?: readonly VulnRef[];
}

/**
 * The changelog of a history entry. No clock in it: the same move gives the same bytes, so attaching it again
 * after an interrupted update gives the same referrer.
 */
export function changelogOf(image: string, e: Omit<HistoryEntry, 'at' | 'changelog'>): Changelog {
  return {
    schema: CHANGELOG_SCHEMA,
    image,
    tags: e.tags,
    digest: e.digest,
    previous: e.previous,
    packages: e.packages,
    ...(e.base !== undefined && { base: e.base }),
    ...(e.fixed !== undefined && { fixed: e.fixed }),
    ...(e.introduced !== undefined && { introduced: e.introduced }),
  };
}

/** The Markdown a user reads: what the image replaced, packages moved, vulnerabilities fixed and introduced. */
export function renderChangelogMarkdown(c: Changelog): string {
  const out = [`# ${c.image}: ${c.tags.join(', ')}`, ''];
  out.push(`Image \`${c.digest}\`${c.previous === null ? ' (first build)' : `, replacing \`${c.previous}\``}.`, '');
  if (c.base !== undefined) out.push(`${describeBaseMove(c.base)}.`, '');
  out.push('## Packages', '');
  if (c.packages.length === 0) out.push('No package changed (rebuilt from an unchanged lock).');
  for (const m of c.packages) out.push(`- ${describeMove(m)} on ${m.platforms.join(', ')}`);
  const vulns = (title: string, list: readonly VulnRef[] | undefined) => {
    out.push('', `## ${title}`, '');
    if (list === undefined) out.push('Unknown: no vulnerability database was available.');
    else if (list.length === 0) out.push('None known.');
    else for (const v of list) out.push(`- ${v.id} (${v.severity}, ${v.source})`);
  };
  vulns('Vulnerabilities fixed', c.fixed);
  vulns('Vulnerabilities introduced', c.introduced);
  return `${out.join('\n')}\n`;
}

/** `base lib:1 moved from sha256:A to sha256:B`: why a customization was rebuilt. */
export function describeBaseMove(b: NonNullable<HistoryEntry['base']>): string {
  return b.from === null ? `base ${b.image} built as ${b.to}` : `base ${b.image} moved from ${b.from} to ${b.to}`;
}

/** Attaches the changelog (JSON, then Markdown) to `subject` as one referrer; idempotent. */
export async function attachChangelog(referrers: Referrers, subject: Descriptor, c: Changelog): Promise<Descriptor> {
  return referrers.attach({
    artifactType: CHANGELOG_ARTIFACT_TYPE,
    subject,
    layers: [
      { mediaType: CHANGELOG_JSON_MEDIA_TYPE, bytes: Buffer.from(`${JSON.stringify(c, null, 2)}\n`) },
      { mediaType: CHANGELOG_MARKDOWN_MEDIA_TYPE, bytes: Buffer.from(renderChangelogMarkdown(c)) },
    ],
    annotations: { 'org.opencontainers.image.title': `${c.image} changelog` },
  });
}
