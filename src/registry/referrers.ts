import { fail, isIroncladError } from '../core/index.ts';
import {
  buildIndex,
  type Descriptor,
  type Digest,
  digestHex,
  MAX_MANIFEST_BYTES,
  parseManifest,
  readAll,
} from '../oci/index.ts';
import { repositoryScope } from './auth.ts';
import type { RegistryClient } from './client.ts';
import { getManifest, type PushedManifest, putManifest } from './manifests.ts';
import { nextLink } from './tags.ts';

/**
 * Referrers (distribution spec 1.1, "Listing Referrers"): the API when the registry has it, else the
 * referrers tag schema — an OCI index tagged `sha256-<hex>` that clients maintain themselves
 * ("Referrers Tag Schema", and "Pushing Manifests with Subject" for when a client must update it).
 */

/** The fallback tag for a subject: `<alg>-<ref>`, truncated to the 128 characters a tag may have. */
export function referrersTag(subject: Digest): string {
  return `sha256-${digestHex(subject)}`.slice(0, 128);
}

/**
 * Descriptors of the manifests whose `subject` is `subject`, optionally only those of `artifactType`.
 * Uses the API, following Link pages; on 404 (no API, e.g. distribution 2.x) reads the fallback tag.
 */
export async function listReferrers(
  client: RegistryClient,
  repo: string,
  subject: Digest,
  artifactType?: string,
): Promise<Descriptor[]> {
  const query = artifactType === undefined ? '' : `?artifactType=${encodeURIComponent(artifactType)}`;
  let path: string | undefined = client.repoPath(repo, `referrers/${subject}${query}`);
  const found: Descriptor[] = [];
  for (let page = 0; path !== undefined && page < 1000; page++) {
    const res = await client.request({
      method: 'GET',
      path,
      headers: { accept: 'application/vnd.oci.image.index.v1+json' },
      action: `listing referrers of ${subject} in ${client.host}/${repo}`,
      scopes: [repositoryScope(repo, 'pull')],
      accept: [200, 404],
    });
    const isIndex = res.headers.get('content-type')?.startsWith('application/vnd.oci.image.index.v1+json') === true;
    if (res.status === 404 || !isIndex) {
      // A 404 — or a 200 that is not an index, as some proxies answer unknown routes — means "no API".
      await res.body?.cancel();
      if (page > 0) fail('REGISTRY_UNAVAILABLE', `listing referrers of ${subject}: a later page vanished`);
      return filterByType(await readFallbackIndex(client, repo, subject), artifactType);
    }
    const bytes = res.body === null ? new Uint8Array() : await readAll(res.body, MAX_MANIFEST_BYTES, 'referrers');
    const filtered = res.headers.get('oci-filters-applied')?.includes('artifactType') === true;
    const parsed = parseManifest(bytes, 'application/vnd.oci.image.index.v1+json', `referrers of ${subject}`);
    if (parsed.kind !== 'index') fail('REGISTRY_UNAVAILABLE', `referrers of ${subject}: not an index`);
    found.push(...(filtered ? parsed.index.manifests : filterByType(parsed.index.manifests, artifactType)));
    const next = nextLink(res.headers.get('link'));
    path = next === undefined ? undefined : new URL(next, new URL(path, client.baseUrl)).toString();
  }
  return found;
}

function filterByType(list: readonly Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType === undefined ? [...list] : list.filter((d) => d.artifactType === artifactType);
}

async function readFallbackIndex(client: RegistryClient, repo: string, subject: Digest): Promise<Descriptor[]> {
  try {
    const m = await getManifest(client, repo, referrersTag(subject));
    const parsed = parseManifest(m.bytes, m.mediaType, `referrers tag of ${subject}`);
    return parsed.kind === 'index' ? [...parsed.index.manifests] : [];
  } catch (err) {
    if (isIroncladError(err, 'NOT_FOUND')) return [];
    throw err;
  }
}

/** The descriptor a referrers index lists for a manifest: artifactType and annotations lifted from it. */
export function referrerDescriptor(bytes: Uint8Array, mediaType: string, digest: Digest): Descriptor {
  const parsed = parseManifest(bytes, mediaType, 'referrer manifest');
  const doc = parsed.kind === 'manifest' ? parsed.manifest : parsed.index;
  const artifactType = doc.artifactType ?? (parsed.kind === 'manifest' ? parsed.manifest.config.mediaType : undefined);
  return {
    mediaType: parsed.mediaType,
    digest,
    size: bytes.length,
    ...(artifactType !== undefined && { artifactType }),
    ...(doc.annotations !== undefined && { annotations: doc.annotations }),
  };
}

/**
 * Pushes a manifest and, when it has a `subject` and the registry did not answer with `OCI-Subject`, adds
 * it to the subject's fallback index (creating it when missing). The fallback update is read-modify-write;
 * two clients adding referrers to one subject at the same moment can lose one entry, as the spec notes.
 */
export async function pushManifest(
  client: RegistryClient,
  repo: string,
  ref: string,
  bytes: Uint8Array,
  mediaType: string,
): Promise<PushedManifest> {
  const pushed = await putManifest(client, repo, ref, bytes, mediaType);
  const parsed = parseManifest(bytes, mediaType, 'manifest to push');
  const subject = parsed.kind === 'manifest' ? parsed.manifest.subject : parsed.index.subject;
  if (subject === undefined || pushed.subjectProcessed) return pushed;
  const entry = referrerDescriptor(bytes, mediaType, pushed.digest);
  const current = await readFallbackIndex(client, repo, subject.digest);
  if (current.some((d) => d.digest === entry.digest)) return pushed;
  const index = buildIndex({ manifests: [...current, entry] });
  await putManifest(client, repo, referrersTag(subject.digest), index.bytes, index.descriptor.mediaType);
  return pushed;
}
