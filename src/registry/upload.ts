import { pipeline, type Readable } from 'node:stream';
import { fail, withRetry } from '../core/index.ts';
import { type Descriptor, readAll, verifyingStream } from '../oci/index.ts';
import { repositoryScope } from './auth.ts';
import type { RegistryClient, RegistryRequest } from './client.ts';

/**
 * Blob uploads (distribution spec 1.1, "Pushing blobs"): POST to open a session, then one monolithic PUT for
 * blobs up to the client's chunk size, or PATCH chunks followed by a closing PUT. Cross-repository mount is
 * tried first when a source repository is known.
 *
 * Retries happen per upload, not per request: a PATCH that died half-way may have left bytes behind, and
 * distribution cancels a session whose size disagrees with its state, so a failed session is abandoned and
 * the upload starts again with a fresh one (and a fresh read of the source).
 */

export type UploadOutcome = 'uploaded' | 'mounted';

export interface UploadOptions {
  /** A repository on the same registry that already holds the blob: try `POST ?mount=&from=` first. */
  readonly mountFrom?: string | undefined;
}

/**
 * Uploads one blob. `open` is called once per try and must return a fresh stream of the blob; its bytes are
 * checked against `desc` before the upload is committed, so a bad source never becomes a blob.
 */
export async function uploadBlob(
  client: RegistryClient,
  repo: string,
  desc: Descriptor,
  open: () => Promise<Readable>,
  opts: UploadOptions = {},
): Promise<UploadOutcome> {
  return withRetry(
    async () => {
      const session = await startUpload(client, repo, desc, opts.mountFrom);
      if (session === 'mounted') return 'mounted';
      if (desc.size <= client.chunkSize) await putMonolithic(client, repo, desc, session, open);
      else await putChunked(client, repo, desc, session, open);
      return 'uploaded';
    },
    client.retryPolicy,
    {
      signal: client.signal,
      what: `uploading blob ${desc.digest} to ${client.host}/${repo}`,
      onRetry: (err, ms) => client.log.debug(`${err.message}; restarting the upload of ${desc.digest} in ${ms} ms`),
    },
  );
}

/** Opens an upload session (or mounts); returns the session URL. A 202 to a mount request means "upload it". */
async function startUpload(
  client: RegistryClient,
  repo: string,
  desc: Descriptor,
  mountFrom: string | undefined,
): Promise<string | 'mounted'> {
  const mount = mountFrom !== undefined && mountFrom !== repo;
  const query = mount ? `?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(mountFrom)}` : '';
  const path = client.repoPath(repo, `blobs/uploads/${query}`);
  const res = await client.request({
    method: 'POST',
    path,
    headers: { 'content-length': '0' },
    action: `starting the upload of ${desc.digest} to ${client.host}/${repo}`,
    scopes: mount
      ? [repositoryScope(repo, 'pull,push'), repositoryScope(mountFrom, 'pull')]
      : [repositoryScope(repo, 'pull,push')],
    accept: [201, 202],
  });
  await res.body?.cancel();
  if (res.status === 201) return 'mounted';
  return locationOf(res, new URL(path, client.baseUrl).toString());
}

function locationOf(res: Response, base: string): string {
  const location = res.headers.get('location');
  if (location === null) fail('REGISTRY_UNAVAILABLE', 'the registry opened an upload without a Location header');
  return new URL(location, base).toString();
}

function sessionRequest(client: RegistryClient, repo: string, desc: Descriptor) {
  return {
    action: `uploading blob ${desc.digest} to ${client.host}/${repo}`,
    scopes: [repositoryScope(repo, 'pull,push')],
    // The whole upload is retried instead (see the file comment).
    retry: { ...client.retryPolicy, attempts: 1 },
  } satisfies Partial<RegistryRequest>;
}

function withDigest(location: string, desc: Descriptor): string {
  const u = new URL(location);
  u.searchParams.set('digest', desc.digest);
  return u.toString();
}

async function putMonolithic(
  client: RegistryClient,
  repo: string,
  desc: Descriptor,
  location: string,
  open: () => Promise<Readable>,
): Promise<void> {
  // The verifier fails with DIGEST_MISMATCH on the first byte past desc.size, before readAll's own limit.
  const bytes = await readAll(verified(await open(), desc), desc.size, `blob ${desc.digest}`);
  const res = await client.request({
    ...sessionRequest(client, repo, desc),
    method: 'PUT',
    path: withDigest(location, desc),
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
    accept: [201],
  });
  await res.body?.cancel();
}

async function putChunked(
  client: RegistryClient,
  repo: string,
  desc: Descriptor,
  location: string,
  open: () => Promise<Readable>,
): Promise<void> {
  const source = await open();
  let offset = 0;
  let url = location;
  try {
    for await (const chunk of chunksOf(verified(source, desc), client.chunkSize)) {
      const end = offset + chunk.length - 1;
      const res = await client.request({
        ...sessionRequest(client, repo, desc),
        method: 'PATCH',
        path: url,
        headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${end}` },
        body: chunk,
        accept: [202],
      });
      await res.body?.cancel();
      checkRange(res.headers.get('range'), end, desc);
      url = locationOf(res, url);
      offset = end + 1;
    }
  } finally {
    source.destroy();
  }
  // The verifier has seen the end of the stream without error, so the content matches `desc`.
  const res = await client.request({
    ...sessionRequest(client, repo, desc),
    method: 'PUT',
    path: withDigest(url, desc),
    headers: { 'content-length': '0' },
    accept: [201],
  });
  await res.body?.cancel();
}

/** `source` checked against `desc`; errors of either side surface on the returned stream. */
function verified(source: Readable, desc: Descriptor): Readable {
  const check = verifyingStream(desc);
  pipeline(source, check, () => {});
  return check;
}

/** The registry reports what it holds as `Range: 0-<last byte>`; anything else means the session is broken. */
function checkRange(range: string | null, end: number, desc: Descriptor): void {
  if (range === null) return;
  const m = /^(?:bytes=)?0-(\d+)$/.exec(range.trim());
  if (m === null || Number(m[1]) !== end) {
    fail('REGISTRY_UNAVAILABLE', `upload of ${desc.digest}: registry holds ${range}, expected 0-${end}`, {
      retryable: true,
    });
  }
}

/** Re-slices a stream into chunks of exactly `size` bytes (the last one shorter), holding one chunk at a time. */
async function* chunksOf(stream: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let held = 0;
  for await (const piece of stream) {
    let p = piece;
    while (held + p.length >= size) {
      const take = size - held;
      parts.push(p.subarray(0, take));
      yield Buffer.concat(parts, size);
      parts = [];
      held = 0;
      p = p.subarray(take);
    }
    if (p.length > 0) {
      parts.push(p);
      held += p.length;
    }
  }
  if (held > 0) yield Buffer.concat(parts, held);
}
