import { pipeline, type Readable } from 'node:stream';
import { fail } from '../core/index.ts';
import { decompress } from './decompress.ts';
import { digestOf, isDigest } from './digest.ts';
import {
  type ImageManifest,
  MAX_CONFIG_BYTES,
  MAX_MANIFEST_BYTES,
  type ParsedManifest,
  parseImageConfig,
  parseManifest,
} from './manifest.ts';
import { isIndexMediaType, isManifestMediaType, layerCompression } from './media-types.ts';
import { formatPlatform, pickPlatform, platformMatches } from './platform.ts';
import { readAll } from './read-all.ts';
import type {
  BlobStore,
  Descriptor,
  Digest,
  ImageConfig,
  ImageSource,
  LayerHandle,
  Platform,
  ResolvedImage,
} from './types.ts';
import { verifyBytes, verifyingStream } from './verify.ts';

export interface ImageSourceOptions {
  /** Used when `resolve()` gets no platform: preferred, but a single-platform image resolves regardless. */
  readonly platform?: Platform;
  /** The reference as the user typed it, for messages; defaults to `ref`. */
  readonly display?: string;
}

/** Nested indexes deeper than this are refused: real images use one level, and cycles must terminate. */
const MAX_INDEX_DEPTH = 4;

interface Doc {
  readonly desc: Descriptor;
  readonly bytes: Uint8Array;
  readonly parsed: ParsedManifest;
}

/** Opens a blob of `store` through the digest-verifying transform; the caller consumes or destroys it. */
async function openVerified(store: BlobStore, desc: Descriptor, what: string): Promise<Readable> {
  const raw = await store.openBlob(desc);
  const checked = verifyingStream(desc, what);
  // pipeline destroys every stage with the first error, so the consumer of `checked` sees it.
  pipeline(raw, checked, () => {});
  return checked;
}

/** Memoises a promise-returning thunk, forgetting failures so a later call can retry. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= fn().catch((err: unknown) => {
      p = undefined;
      throw err;
    });
    return p;
  };
}

/**
 * Derives an ImageSource from a transport's BlobStore (STYLE.md rule 2): reference resolution, index vs
 * manifest (OCI and Docker media types), platform choice, memoised manifest and config, and verification of
 * every blob (DIGEST_MISMATCH at end of stream). Nothing is read until a method is called.
 * `ref` is what the store's `readManifest` understands: a tag, a digest, or '' for the store's default. When it
 * is a digest, the manifest bytes must hash to it.
 */
export function imageSourceFrom(store: BlobStore, ref: string, opts: ImageSourceOptions = {}): ImageSource {
  const display = opts.display ?? ref;
  const top = once(async (): Promise<Doc> => {
    const { bytes, mediaType } = await store.readManifest(ref);
    if (bytes.length > MAX_MANIFEST_BYTES)
      fail('INVALID_INPUT', `${display}: manifest exceeds ${MAX_MANIFEST_BYTES} bytes`);
    const digest = digestOf(bytes);
    if (isDigest(ref) && digest !== ref) fail('DIGEST_MISMATCH', `${display}: manifest content hashes to ${digest}`);
    const parsed = parseManifest(bytes, mediaType, `manifest of ${display}`);
    return { desc: { mediaType: parsed.mediaType, digest, size: bytes.length }, bytes, parsed };
  });
  const child = async (desc: Descriptor): Promise<Doc> => {
    const { bytes } = await store.readManifest(desc.digest);
    verifyBytes(bytes, desc, `manifest ${desc.digest} of ${display}`);
    return { desc, bytes, parsed: parseManifest(bytes, desc.mediaType, `manifest ${desc.digest} of ${display}`) };
  };
  const resolved = new Map<string, Promise<ResolvedImage>>();

  const resolveOnce = async (explicit: Platform | undefined): Promise<ResolvedImage> => {
    let doc = await top();
    for (let depth = 0; doc.parsed.kind === 'index'; depth++) {
      if (depth >= MAX_INDEX_DEPTH) fail('INVALID_INPUT', `${display}: indexes nested deeper than ${MAX_INDEX_DEPTH}`);
      doc = await child(chooseEntry(doc.parsed.index.manifests, explicit, opts.platform, display));
    }
    const image = new Resolved(store, doc.desc, doc.bytes, doc.parsed.manifest, display);
    if (explicit !== undefined) {
      const c = await image.config();
      if (
        !platformMatches(
          { os: c.os, architecture: c.architecture, ...(c.variant !== undefined && { variant: c.variant }) },
          explicit,
        )
      ) {
        fail('NOT_FOUND', `${display} is ${c.os}/${c.architecture}, not ${formatPlatform(explicit)}`);
      }
    }
    return image;
  };

  return {
    ref: display,
    async top() {
      const { desc, bytes } = await top();
      return { desc, bytes };
    },
    async manifests() {
      const doc = await top();
      if (doc.parsed.kind === 'manifest') return [doc.desc];
      const listed = doc.parsed.index.manifests.filter((m) => isManifestMediaType(m.mediaType));
      if (listed.length === 0) fail('INVALID_INPUT', `${display}: the index lists no image manifests`);
      return listed;
    },
    async platforms() {
      const doc = await top();
      if (doc.parsed.kind === 'index') return imageEntries(doc.parsed.index.manifests).flatMap((e) => e.platform ?? []);
      const c = await (await this.resolve()).config();
      return [{ os: c.os, architecture: c.architecture, ...(c.variant !== undefined && { variant: c.variant }) }];
    },
    resolve(platform?: Platform) {
      const key = platform === undefined ? '' : formatPlatform(platform);
      let p = resolved.get(key);
      if (p === undefined) {
        p = resolveOnce(platform);
        resolved.set(key, p);
        p.catch(() => resolved.delete(key));
      }
      return p;
    },
    async referrers(subject: Digest) {
      return (await store.listReferrers?.(subject)) ?? [];
    },
    openBlob(d: Descriptor) {
      return openVerified(store, d, `blob of ${display}`);
    },
  };
}

/** Index entries that are images (not buildkit attestation manifests, which use platform unknown/unknown). */
function imageEntries(entries: readonly Descriptor[]): Descriptor[] {
  return entries.filter(
    (e) => (isManifestMediaType(e.mediaType) || isIndexMediaType(e.mediaType)) && e.platform?.os !== 'unknown',
  );
}

function chooseEntry(
  entries: readonly Descriptor[],
  explicit: Platform | undefined,
  preferred: Platform | undefined,
  display: string,
): Descriptor {
  const images = imageEntries(entries);
  const want = explicit ?? preferred;
  const hit = want === undefined ? undefined : pickPlatform(images, want);
  if (hit !== undefined) return hit;
  if (explicit === undefined && images.length === 1) return images[0]!;
  const available = images.map((e) => (e.platform ? formatPlatform(e.platform) : e.digest)).join(', ');
  return fail(
    'NOT_FOUND',
    want === undefined
      ? `${display} is a multi-platform image; choose a platform`
      : `${display} has no image for ${formatPlatform(want)}`,
    { hint: `available: ${available || 'none'}` },
  );
}

/** One platform's image: descriptors at hand, config fetched once, layers streamed and verified per open. */
class Resolved implements ResolvedImage {
  readonly digest: Digest;
  readonly #config: () => Promise<{ bytes: Uint8Array; config: ImageConfig }>;
  readonly #layers: readonly LayerHandle[];

  constructor(
    store: BlobStore,
    readonly descriptor: Descriptor,
    readonly bytes: Uint8Array,
    readonly parsed: ImageManifest,
    display: string,
  ) {
    this.digest = descriptor.digest;
    this.#config = once(async () => {
      const stream = await openVerified(store, parsed.config, `config of ${display}`);
      const bytes = await readAll(stream, MAX_CONFIG_BYTES, `config of ${display}`);
      return { bytes, config: parseImageConfig(bytes, `config of ${display}`) };
    });
    this.#layers = parsed.layers.map((desc, i) => {
      const what = `layer ${i + 1} of ${display}`;
      const open = () => openVerified(store, desc, what);
      return {
        desc,
        open,
        openUncompressed: async () => decompress(await open(), layerCompression(desc.mediaType)),
      };
    });
  }

  manifestBytes(): Uint8Array {
    return this.bytes;
  }

  manifest(): ImageManifest {
    return this.parsed;
  }

  async config(): Promise<ImageConfig> {
    return (await this.#config()).config;
  }

  async configBytes(): Promise<Uint8Array> {
    return (await this.#config()).bytes;
  }

  layers(): readonly LayerHandle[] {
    return this.#layers;
  }
}
