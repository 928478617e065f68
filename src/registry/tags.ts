import { fail } from '../core/index.ts';
import { readAll } from '../oci/index.ts';
import { repositoryScope } from './auth.ts';
import type { RegistryClient } from './client.ts';

/** Tag listing (distribution spec 1.1, "Listing Tags"), following `Link: <…>; rel="next"` pages. */

const MAX_PAGE_BYTES = 4 * 1024 * 1024;
/** A guard against a registry that links pages in a circle. */
const MAX_PAGES = 10_000;

/** The `rel="next"` target of a Link header (RFC 8288), or undefined. */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(',')) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m !== null && /(?:^|;)\s*rel\s*=\s*"?next"?\s*(?:;|$)/i.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}

/** All tags of a repository, in the registry's order (lexical per the spec). Empty for an unknown repo. */
export async function listTags(client: RegistryClient, repo: string, pageSize = 1000): Promise<string[]> {
  const tags: string[] = [];
  let path: string | undefined = `${client.repoPath(repo, 'tags/list')}?n=${pageSize}`;
  for (let page = 0; path !== undefined; page++) {
    if (page >= MAX_PAGES) fail('REGISTRY_UNAVAILABLE', `listing tags of ${client.host}/${repo}: too many pages`);
    const res = await client.request({
      method: 'GET',
      path,
      headers: { accept: 'application/json' },
      action: `listing tags of ${client.host}/${repo}`,
      scopes: [repositoryScope(repo, 'pull')],
      accept: [200, 404],
    });
    if (res.status === 404) {
      await res.body?.cancel();
      return tags;
    }
    const body = res.body === null ? new Uint8Array() : await readAll(res.body, MAX_PAGE_BYTES, 'tag list');
    tags.push(...parseTagPage(body, `${client.host}/${repo}`));
    const next = nextLink(res.headers.get('link'));
    path = next === undefined ? undefined : new URL(next, new URL(path, client.baseUrl)).toString();
  }
  return tags;
}

function parseTagPage(bytes: Uint8Array, where: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    doc = undefined;
  }
  const tags = (doc as { tags?: unknown } | undefined)?.tags;
  if (typeof doc !== 'object' || doc === null || (tags !== null && tags !== undefined && !Array.isArray(tags))) {
    fail('REGISTRY_UNAVAILABLE', `the tag list of ${where} is not valid JSON`);
  }
  if (!Array.isArray(tags)) return [];
  return tags.filter((t): t is string => typeof t === 'string' && /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(t));
}
