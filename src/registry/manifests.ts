import { fail } from '../core/index.ts';
import {
  type Descriptor,
  type Digest,
  digestOf,
  isDigest,
  MAX_MANIFEST_BYTES,
  MediaType,
  parseDigest,
  parseManifest,
  readAll,
} from '../oci/index.ts';
import { repositoryScope } from './auth.ts';
import type { RegistryClient } from './client.ts';

/**
 * Manifest operations (distribution spec 1.1, "Pulling manifests", "Pushing Manifests"). Every manifest read
 * is checked against the digest that was asked for, or else against Docker-Content-Digest.
 */

/** Everything we can read, index types first so registries that negotiate pick the multi-platform form. */
export const MANIFEST_ACCEPT = [
  MediaType.OCI_INDEX,
  MediaType.OCI_MANIFEST,
  MediaType.DOCKER_MANIFEST_LIST,
  MediaType.DOCKER_MANIFEST,
].join(', ');

export interface FetchedManifest {
  readonly bytes: Uint8Array;
  readonly mediaType: string;
  readonly digest: Digest;
}

/** A tag (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`, distribution spec) or a digest. */
export function checkReference(ref: string): string {
  if (isDigest(ref) || /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(ref)) return ref;
  return fail('USAGE', `"${ref.slice(0, 200)}" is neither a tag nor a sha256 digest`);
}

/**
 * GETs a manifest or index by tag or digest. At most 4 MiB is read. Throws NOT_FOUND when it does not
 * exist and DIGEST_MISMATCH when the bytes do not hash to the requested digest (or to the digest the
 * registry announced for a tag).
 */
export async function getManifest(client: RegistryClient, repo: string, ref: string): Promise<FetchedManifest> {
  const res = await client.request({
    method: 'GET',
    path: client.repoPath(repo, `manifests/${checkReference(ref)}`),
    headers: { accept: MANIFEST_ACCEPT },
    action: `pulling manifest ${ref} from ${client.host}/${repo}`,
    scopes: [repositoryScope(repo, 'pull')],
  });
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > MAX_MANIFEST_BYTES) {
    await res.body?.cancel();
    fail('INVALID_INPUT', `manifest ${ref} in ${client.host}/${repo} is ${length} bytes, over the 4 MiB limit`);
  }
  const bytes = res.body === null ? new Uint8Array() : await readAll(res.body, MAX_MANIFEST_BYTES, `manifest ${ref}`);
  const digest = digestOf(bytes);
  const announced = res.headers.get('docker-content-digest');
  const expected = isDigest(ref) ? ref : announced?.startsWith('sha256:') ? announced : undefined;
  if (expected !== undefined && expected !== digest) {
    fail('DIGEST_MISMATCH', `manifest ${ref} from ${client.host}/${repo} hashes to ${digest}, expected ${expected}`, {
      hint: 'the registry or something between it and you altered the manifest',
    });
  }
  const declared = res.headers.get('content-type')?.split(';')[0]?.trim();
  const parsed = parseManifest(bytes, declared, `manifest ${ref} from ${client.host}/${repo}`);
  return { bytes, mediaType: parsed.mediaType, digest };
}

/**
 * HEADs a manifest: its descriptor, or undefined when the registry has no such tag/digest. Falls back to a
 * GET when the registry does not announce the digest (allowed by the spec for HEAD).
 */
export async function headManifest(client: RegistryClient, repo: string, ref: string): Promise<Descriptor | undefined> {
  const res = await client.request({
    method: 'HEAD',
    path: client.repoPath(repo, `manifests/${checkReference(ref)}`),
    headers: { accept: MANIFEST_ACCEPT },
    action: `checking manifest ${ref} in ${client.host}/${repo}`,
    scopes: [repositoryScope(repo, 'pull')],
    accept: [200, 404],
  });
  if (res.status === 404) return undefined;
  const digest = res.headers.get('docker-content-digest');
  const size = Number(res.headers.get('content-length'));
  const mediaType = res.headers.get('content-type')?.split(';')[0]?.trim();
  if (digest === null || !isDigest(digest) || !Number.isSafeInteger(size) || mediaType === undefined) {
    const m = await getManifest(client, repo, ref);
    return { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length };
  }
  if (isDigest(ref) && digest !== ref) {
    fail('DIGEST_MISMATCH', `registry ${client.host} answered ${digest} for manifest ${ref}`);
  }
  return { mediaType, digest: parseDigest(digest), size };
}

export interface PushedManifest {
  readonly digest: Digest;
  /** The registry returned `OCI-Subject`: it indexes referrers itself, no fallback tag needed. */
  readonly subjectProcessed: boolean;
}

/**
 * PUTs a manifest under a tag or under its own digest. The bytes are sent exactly as given; the registry's
 * Docker-Content-Digest, when present, must match them.
 */
export async function putManifest(
  client: RegistryClient,
  repo: string,
  ref: string,
  bytes: Uint8Array,
  mediaType: string,
): Promise<PushedManifest> {
  if (bytes.length > MAX_MANIFEST_BYTES) fail('INVALID_INPUT', `manifest for ${repo} is over the 4 MiB limit`);
  const digest = digestOf(bytes);
  if (isDigest(ref) && ref !== digest) fail('DIGEST_MISMATCH', `manifest bytes hash to ${digest}, not ${ref}`);
  const res = await client.request({
    method: 'PUT',
    path: client.repoPath(repo, `manifests/${checkReference(ref)}`),
    headers: { 'content-type': mediaType },
    body: bytes,
    action: `pushing manifest ${ref} to ${client.host}/${repo}`,
    scopes: [repositoryScope(repo, 'pull,push')],
    accept: [201, 200],
  });
  await res.body?.cancel();
  const announced = res.headers.get('docker-content-digest');
  if (announced?.startsWith('sha256:') && announced !== digest) {
    fail('DIGEST_MISMATCH', `registry ${client.host} stored manifest ${ref} as ${announced}, expected ${digest}`);
  }
  return { digest, subjectProcessed: res.headers.has('oci-subject') };
}

/**
 * DELETEs a manifest by digest (distribution spec 1.1, "Deleting Manifests"): the registry drops it and the tags
 * that name it. A registry that does not allow deletes answers 405 (UNSUPPORTED), which throws like any failure.
 */
export async function deleteManifest(client: RegistryClient, repo: string, digest: Digest): Promise<void> {
  const res = await client.request({
    method: 'DELETE',
    path: client.repoPath(repo, `manifests/${checkReference(digest)}`),
    action: `deleting manifest ${digest} from ${client.host}/${repo}`,
    scopes: [repositoryScope(repo, 'delete')],
    accept: [202, 200],
  });
  await res.body?.cancel();
}
