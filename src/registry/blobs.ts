import { pipeline, Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { fail } from '../core/index.ts';
import { type Descriptor, type Digest, readAll, verifyingStream } from '../oci/index.ts';
import { repositoryScope } from './auth.ts';
import type { RegistryClient } from './client.ts';

/** Blob reads (distribution spec 1.1, "Pulling blobs", "Checking if content exists"). */

/** The size of a blob in the repository, or undefined when it is not there. */
export async function headBlob(client: RegistryClient, repo: string, digest: Digest): Promise<number | undefined> {
  const res = await client.request({
    method: 'HEAD',
    path: client.repoPath(repo, `blobs/${digest}`),
    action: `checking blob ${digest} in ${client.host}/${repo}`,
    scopes: [repositoryScope(repo, 'pull')],
    accept: [200, 404],
  });
  await res.body?.cancel();
  if (res.status === 404) return undefined;
  const size = Number(res.headers.get('content-length'));
  return Number.isSafeInteger(size) ? size : -1;
}

/**
 * Opens a blob as a verified stream: it errors with DIGEST_MISMATCH before its end if the bytes differ from
 * `desc` in size or sha256, so a consumer that stores only on a clean end never stores bad content. The
 * caller consumes or destroys the stream.
 */
export async function openBlob(client: RegistryClient, repo: string, desc: Descriptor): Promise<Readable> {
  const res = await client.request({
    method: 'GET',
    path: client.repoPath(repo, `blobs/${desc.digest}`),
    action: `pulling blob ${desc.digest} from ${client.host}/${repo}`,
    scopes: [repositoryScope(repo, 'pull')],
  });
  const length = res.headers.get('content-length');
  if (length !== null && Number(length) !== desc.size) {
    await res.body?.cancel();
    fail(
      'DIGEST_MISMATCH',
      `blob ${desc.digest} from ${client.host}/${repo} is ${length} bytes, expected ${desc.size}`,
    );
  }
  const raw =
    res.body === null ? Readable.from([]) : Readable.fromWeb(res.body as unknown as ReadableStream<Uint8Array>);
  const verified = verifyingStream(desc, `blob from ${client.host}/${repo}`);
  pipeline(raw, verified, () => {});
  return verified;
}

/** A whole small blob (configs, signatures, attestations), verified, at most `maxBytes`. */
export async function fetchBlob(
  client: RegistryClient,
  repo: string,
  desc: Descriptor,
  maxBytes: number,
): Promise<Uint8Array> {
  if (desc.size > maxBytes) fail('INVALID_INPUT', `blob ${desc.digest} is ${desc.size} bytes, over ${maxBytes}`);
  return readAll(await openBlob(client, repo, desc), maxBytes, `blob ${desc.digest}`);
}
