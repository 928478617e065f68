import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { fail } from '../core/index.ts';
import { sniffCompression } from './decompress.ts';
import { Digester, isDigest } from './digest.ts';
import { descriptorJson } from './manifest-build.ts';
import { MediaType } from './media-types.ts';
import { indexTarFile, type TarSlice } from './tar-index.ts';
import type { BlobStore, Descriptor, Digest } from './types.ts';

/** `manifest.json` of `docker save` (docker image spec, "Combined Image JSON + Filesystem Changeset Format"). */
interface SaveEntry {
  readonly Config: string;
  readonly RepoTags: readonly string[];
  readonly Layers: readonly string[];
}

const MAX_MANIFEST_JSON = 1024 * 1024;

interface Archive {
  readonly manifests: readonly {
    readonly tags: readonly string[];
    readonly bytes: Uint8Array;
    readonly digest: Digest;
  }[];
  readonly blobs: ReadonlyMap<Digest, TarSlice>;
}

async function readSlice(file: string, s: TarSlice): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (s.size === 0) return Buffer.alloc(0);
  for await (const c of createReadStream(file, { start: s.offset, end: s.offset + s.size - 1 }))
    chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function hashSlice(file: string, s: TarSlice): Promise<{ digest: Digest; head: Buffer }> {
  const d = new Digester();
  let head = Buffer.alloc(0);
  if (s.size > 0) {
    for await (const c of createReadStream(file, { start: s.offset, end: s.offset + s.size - 1 })) {
      if (head.length < 4) head = Buffer.concat([head, c as Buffer]).subarray(0, 4);
      d.update(c as Buffer);
    }
  }
  return { digest: d.digest(), head };
}

function parseSaveManifest(bytes: Buffer, file: string): SaveEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    fail('INVALID_INPUT', `${file}: manifest.json is not JSON`, { cause });
  }
  const ok =
    Array.isArray(doc) &&
    doc.length > 0 &&
    doc.every(
      (e) =>
        typeof e === 'object' &&
        e !== null &&
        typeof e.Config === 'string' &&
        Array.isArray(e.Layers) &&
        e.Layers.every((l: unknown) => typeof l === 'string') &&
        (e.RepoTags == null || (Array.isArray(e.RepoTags) && e.RepoTags.every((t: unknown) => typeof t === 'string'))),
    );
  if (!ok) fail('INVALID_INPUT', `${file}: manifest.json is not a docker-save manifest`);
  return (doc as SaveEntry[]).map((e) => ({ ...e, RepoTags: e.RepoTags ?? [] }));
}

/** Reads the archive once: indexes the tar, hashes config and layers, synthesises a Docker v2 manifest each. */
async function loadArchive(file: string): Promise<Archive> {
  const slices = await indexTarFile(file);
  const slice = (path: string): TarSlice =>
    slices.get(path) ?? fail('INVALID_INPUT', `${file}: manifest.json names ${JSON.stringify(path)}, which is missing`);
  const mf = slice('manifest.json');
  if (mf.size > MAX_MANIFEST_JSON) fail('INVALID_INPUT', `${file}: manifest.json is too large`);
  const entries = parseSaveManifest(await readSlice(file, mf), file);
  const blobs = new Map<Digest, TarSlice>();
  const descriptorFor = async (path: string, mediaType: (head: Buffer) => string): Promise<Descriptor> => {
    const s = slice(path);
    const { digest, head } = await hashSlice(file, s);
    blobs.set(digest, s);
    return { mediaType: mediaType(head), digest, size: s.size };
  };
  const manifests = [];
  for (const e of entries) {
    const config = await descriptorFor(e.Config, () => MediaType.DOCKER_CONFIG);
    const layers: Descriptor[] = [];
    for (const l of e.Layers) {
      layers.push(
        await descriptorFor(l, (head) =>
          sniffCompression(head) === 'gzip' ? MediaType.DOCKER_LAYER_GZIP : MediaType.DOCKER_LAYER_TAR,
        ),
      );
    }
    // Docker image manifest v2 schema 2; key order fixed so the synthesised digest is stable.
    const doc = {
      schemaVersion: 2,
      mediaType: MediaType.DOCKER_MANIFEST,
      config: descriptorJson(config),
      layers: layers.map(descriptorJson),
    };
    const bytes = new TextEncoder().encode(JSON.stringify(doc));
    const d = new Digester();
    d.update(bytes);
    manifests.push({ tags: e.RepoTags, bytes, digest: d.digest() });
  }
  return { manifests, blobs };
}

/**
 * A BlobStore over a `docker save` tarball (uncompressed tar with manifest.json, configs and layer tars).
 * The archive has no manifests of its own, so a Docker v2 manifest is synthesised per image from digests
 * computed by reading every config and layer once, on the first call. `readManifest` accepts '' (the first
 * image), one of the image's RepoTags, or the synthesised manifest digest.
 */
export function dockerArchiveBlobStore(file: string): BlobStore {
  let loaded: Promise<Archive> | undefined;
  const archive = (): Promise<Archive> => {
    loaded ??= loadArchive(file).catch((err: unknown) => {
      loaded = undefined;
      throw err;
    });
    return loaded;
  };
  return {
    async readManifest(ref: string) {
      const a = await archive();
      const hit =
        ref === ''
          ? a.manifests[0]
          : isDigest(ref)
            ? a.manifests.find((m) => m.digest === ref)
            : a.manifests.find((m) => m.tags.includes(ref));
      if (hit === undefined) fail('NOT_FOUND', `no image ${JSON.stringify(ref)} in ${file}`);
      return { bytes: hit.bytes, mediaType: MediaType.DOCKER_MANIFEST };
    },
    async openBlob(d: Descriptor): Promise<Readable> {
      const s = (await archive()).blobs.get(d.digest);
      if (s === undefined) fail('NOT_FOUND', `blob ${d.digest} is not in ${file}`);
      if (s.size === 0) return Readable.from([]);
      return createReadStream(file, { start: s.offset, end: s.offset + s.size - 1 });
    },
  };
}
