import type { Readable } from 'node:stream';
import { fail } from '../core/index.ts';
import { imageSourceFrom } from './image-source.ts';
import { readAll } from './read-all.ts';
import { DEFAULT_REFERRER_SCHEMES, type ReferrerScheme, type Referrers, referrersFrom } from './referrers.ts';
import type { BlobStore, Descriptor, ImageSource, Platform } from './types.ts';

/**
 * The write core a transport implements (STYLE.md rule 18), the counterpart of BlobStore. Every method stores
 * content only after checking it against its descriptor, so a corrupt source never leaves anything behind.
 * Manifests go in children first: a transport may assume the blobs a manifest names are already stored.
 */
export interface ImageWriter {
  /** For messages: `host/repo` or the layout directory. */
  readonly name: string;
  hasBlob(desc: Descriptor): Promise<boolean>;
  /**
   * Stores a blob read through `open` (called again on a retry). `from` lets a registry mount it from another
   * repository of the same registry instead of uploading; the result says which happened.
   */
  putBlob(desc: Descriptor, open: () => Promise<Readable>, from?: BlobStore): Promise<'stored' | 'mounted'>;
  hasManifest(desc: Descriptor): Promise<boolean>;
  /**
   * Stores a manifest or index whose children are stored. `tag` names it (in the transport's own tag names);
   * `root` marks a top-level image or a referrer, which a layout lists in index.json so gc keeps it.
   */
  putManifest(
    desc: Descriptor,
    bytes: Uint8Array,
    opts: { readonly tag?: string; readonly root: boolean },
  ): Promise<void>;
  /**
   * Deletes the manifest `desc` and every tag naming it (distribution spec, "Deleting Manifests"). Optional: only
   * a registry offers it, and a registry may refuse it (docker-registry does unless delete is enabled), so a
   * caller uses it for tidiness only.
   */
  deleteManifest?(desc: Descriptor): Promise<void>;
}

/** What one transport provides for one reference; everything else of an ImageEndpoint is derived from it. */
export interface EndpointCore {
  /** The raw read side (no verification needed here). */
  readonly store: BlobStore;
  /** What `store.readManifest` takes for this reference: a tag, a digest, or '' for the only image. */
  readonly reference: string;
  /** The write side; undefined for read-only transports (docker-archive). */
  readonly writer?: ImageWriter;
  /** The transport's name for a user's tag (the local store keeps `NAME:TAG`). Default: the tag itself. */
  tagName?(tag: string): string;
}

/**
 * One image reference as a place: read the image, write images, keep referrers beside it. Built once from an
 * EndpointCore by `endpointFrom`; obtain one with `openEndpoint(ref, opts)`. Lazy: nothing is read or written
 * until a method is called.
 */
export interface ImageEndpoint {
  /** The reference as the user would type it, for messages. */
  readonly display: string;
  /** The read side: resolution, platform choice, memoised and verified reads. */
  readonly source: ImageSource;
  /** The raw read core and the reference in it, for copying (copyImage verifies what it reads). */
  readonly store: BlobStore;
  readonly reference: string;
  /** The write side, or undefined when the transport is read-only. */
  readonly writer: ImageWriter | undefined;
  /** Referrers of images in this place: attach, list (by artifact or predicate type), read. */
  readonly referrers: Referrers;
  /** The transport's name for tag `tag`. */
  tagName(tag: string): string;
  /** The write side, or USAGE naming this place when it is read-only. */
  requireWriter(): ImageWriter;
  /** Points tag `tag` (a user's tag; see tagName) at the stored manifest `desc`. */
  tag(tag: string, desc: Descriptor): Promise<void>;
  /** A verified blob or manifest of this place, at most `maxBytes`. @throws DIGEST_MISMATCH, NOT_FOUND. */
  readBlob(desc: Descriptor, maxBytes: number): Promise<Uint8Array>;
}

export interface EndpointOptions {
  readonly display: string;
  /** Preferred platform when the source resolves without one. */
  readonly platform?: Platform;
  /** How referrers are stored and found (default: signatures both as OCI 1.1 referrers and as cosign tags). */
  readonly referrerSchemes?: readonly ReferrerScheme[];
}

/** Derives an ImageEndpoint from a transport's core (STYLE.md rules 2 and 18). */
export function endpointFrom(core: EndpointCore, opts: EndpointOptions): ImageEndpoint {
  const store = core.store;
  const source = imageSourceFrom(store, core.reference, {
    display: opts.display,
    ...(opts.platform !== undefined && { platform: opts.platform }),
  });
  const requireWriter = (): ImageWriter =>
    core.writer ??
    fail('USAGE', `${opts.display}: this transport is read-only`, {
      hint: 'write to the local store, an OCI layout (oci:DIR[:TAG]) or a registry instead',
    });
  const readBlob = async (desc: Descriptor, maxBytes: number): Promise<Uint8Array> => {
    if (desc.size > maxBytes) fail('INVALID_INPUT', `blob ${desc.digest} is larger than ${maxBytes} bytes`);
    return readAll(await source.openBlob(desc), maxBytes, `blob ${desc.digest} of ${opts.display}`);
  };
  const tagName = (tag: string) => core.tagName?.(tag) ?? tag;
  const endpoint: ImageEndpoint = {
    display: opts.display,
    source,
    store,
    reference: core.reference,
    writer: core.writer,
    referrers: referrersFrom(
      { store, writer: core.writer, requireWriter, readBlob, name: core.writer?.name ?? opts.display },
      opts.referrerSchemes ?? DEFAULT_REFERRER_SCHEMES,
    ),
    tagName,
    requireWriter,
    async tag(tag, desc) {
      const writer = requireWriter();
      const { bytes } = await store.readManifest(desc.digest);
      await writer.putManifest(desc, bytes, { tag: tagName(tag), root: true });
    },
    readBlob,
  };
  return endpoint;
}
