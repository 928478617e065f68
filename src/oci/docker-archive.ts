import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { fail } from '../core/index.ts';
import { decompress, sniffCompression } from './decompress.ts';
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

const TAR_BLOCK = 512;

/**
 * The first tar block of a layer, decompressed as its magic bytes say. Reads only as far as that block.
 * @throws IroncladError INVALID_INPUT when the compressed data is corrupt.
 */
async function firstTarBlock(file: string, s: TarSlice): Promise<Buffer> {
  if (s.size === 0) return Buffer.alloc(0);
  const raw = createReadStream(file, { start: s.offset, end: s.offset + s.size - 1 });
  const stream = decompress(raw);
  let head = Buffer.alloc(0);
  try {
    for await (const c of stream) {
      head = Buffer.concat([head, c as Buffer]);
      if (head.length >= TAR_BLOCK) break;
    }
  } finally {
    stream.destroy();
    raw.destroy();
  }
  return head.subarray(0, TAR_BLOCK);
}

/**
 * Whether a block opens a tar archive: a header whose checksum (POSIX ustar: the byte sum with the checksum field
 * counted as spaces, stored in octal at offset 148) matches, or the zero block that ends an empty archive.
 */
function opensTar(block: Buffer): boolean {
  if (block.length < TAR_BLOCK) return false;
  if (block.every((b) => b === 0)) return true;
  const stored = Number.parseInt(
    block
      .subarray(148, 156)
      .toString('latin1')
      .replace(/[\0 ]+/g, ''),
    8,
  );
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return stored === sum;
}

/** The media type of a layer that was checked to be a (compressed) tar; refuses anything else. */
async function layerMediaType(file: string, path: string, s: TarSlice, head: Buffer): Promise<string> {
  if (!opensTar(await firstTarBlock(file, s))) {
    fail('HOSTILE_INPUT', `${file}: layer ${JSON.stringify(path)} is not a tar archive`, {
      hint: 'the archive is corrupt or was not written by docker save; nothing was stored',
    });
  }
  const compression = sniffCompression(head);
  if (compression === 'gzip') return MediaType.DOCKER_LAYER_GZIP;
  return compression === 'zstd' ? MediaType.OCI_LAYER_ZSTD : MediaType.DOCKER_LAYER_TAR;
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

/**
 * Reads the archive once: indexes the tar, hashes config and layers, checks that each layer is a tar, and
 * synthesises a Docker v2 manifest each. @throws HOSTILE_INPUT for a layer that is not a tar.
 */
async function loadArchive(file: string): Promise<Archive> {
  const slices = await indexTarFile(file);
  const slice = (path: string): TarSlice =>
    slices.get(path) ?? fail('INVALID_INPUT', `${file}: manifest.json names ${JSON.stringify(path)}, which is missing`);
  const mf = slice('manifest.json');
  if (mf.size > MAX_MANIFEST_JSON) fail('INVALID_INPUT', `${file}: manifest.json is too large`);
  const entries = parseSaveManifest(await readSlice(file, mf), file);
  const blobs = new Map<Digest, TarSlice>();
  const descriptorFor = async (path: string, mediaType: (head: Buffer) => Promise<string>): Promise<Descriptor> => {
    const s = slice(path);
    const { digest, head } = await hashSlice(file, s);
    blobs.set(digest, s);
    return { mediaType: await mediaType(head), digest, size: s.size };
  };
  const manifests = [];
  for (const e of entries) {
    const config = await descriptorFor(e.Config, async () => MediaType.DOCKER_CONFIG);
    const layers: Descriptor[] = [];
    // Every layer is checked before any blob is read out of the archive, so a bad one stores nothing.
    for (const l of e.Layers) layers.push(await descriptorFor(l, (head) => layerMediaType(file, l, slice(l), head)));
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
