import { pipeline, type Readable, Transform } from 'node:stream';
import { fail, formatBytes, mapLimit, type StageContext } from '../core/index.ts';
import {
  appendCosignLayers,
  type BlobStore,
  COSIGN_ATTESTATION_SUFFIX,
  COSIGN_SIGNATURE_SUFFIX,
  cosignTag,
  DEFAULT_SIGNATURE_FORMAT,
  type Descriptor,
  type Digest,
  digestOf,
  type ImageWriter,
  isSigstoreBundleReferrer,
  type ParsedManifest,
  type Platform,
  parseManifest,
  pickPlatform,
  readCosignTag,
  type SignatureFormat,
  tagPlatformManifests,
} from '../oci/index.ts';

/**
 * copyImage: copies an image (index or manifest) with every blob it references, and optionally its
 * referrers (signatures, SBOMs, attestations — and their referrers in turn), from any BlobStore into a
 * ImageWriter. Signatures and attestations come in the forms `signatureFormat` names: OCI referrers holding
 * sigstore bundles, and cosign's `sha256-<hex>.sig`/`.att` tags (merged with the destination's own, so
 * signatures made there are kept). Children go before parents, so a destination never holds a manifest whose content is missing;
 * anything already at the destination is skipped, so an interrupted copy resumes by running it again.
 */

export interface CopySource {
  readonly store: BlobStore;
  /** Tag or digest of the image in `store`. */
  readonly ref: string;
}

export interface CopyOptions {
  /** Copy every manifest of an index (default true). False copies only `platform`'s manifest. */
  readonly allPlatforms?: boolean;
  /** The one platform to copy when `allPlatforms` is false. */
  readonly platform?: Platform;
  /** Copy referrers recursively (default true). Needs a store with listReferrers. */
  readonly referrers?: boolean;
  /** Which forms of signatures and attestations to copy with the referrers (default both). */
  readonly signatureFormat?: SignatureFormat;
  /**
   * The destination's read side, to merge cosign tags with the signatures already there; without it a cosign tag
   * the source has replaces the destination's.
   */
  readonly destinationStore?: BlobStore;
  /** Destination tag of the top-level manifest; without it the image is stored by digest only. */
  readonly tag?: string;
  /**
   * Also tag each platform manifest of a copied multi-platform index `TAG-ARCH` (oci/platform-tags.ts), for
   * destinations read by one-manifest-per-tag tools (an OCI layout). Needs `tag` and every platform copied.
   */
  readonly platformTags?: boolean;
  /** Blobs transferred at once (default 4). */
  readonly concurrency?: number;
}

export interface CopiedItem {
  readonly kind: 'blob' | 'manifest';
  readonly digest: Digest;
  readonly mediaType: string;
  readonly size: number;
  /** A blob the destination registry mounted from another repository rather than receiving its bytes. */
  readonly mounted?: true;
}

export interface CopyReport {
  /** The top-level descriptor as stored at the destination. */
  readonly descriptor: Descriptor;
  readonly transferred: readonly CopiedItem[];
  readonly skipped: readonly CopiedItem[];
  readonly bytesTransferred: number;
  readonly bytesSkipped: number;
  /** The per-platform tags written (`platformTags`), in order; empty when none were. */
  readonly platformTags: readonly string[];
}

type Resolved = Required<Omit<CopyOptions, 'tag' | 'platform' | 'platformTags' | 'destinationStore'>> &
  Pick<CopyOptions, 'platform' | 'destinationStore'>;

class Copier {
  readonly transferred: CopiedItem[] = [];
  readonly skipped: CopiedItem[] = [];
  private readonly manifestsDone = new Set<string>();
  private readonly blobsDone = new Map<string, Promise<void>>();
  /** Verified bytes of the manifests read, so tagging after the copy reads none twice (manifests are small). */
  private readonly manifestBytes = new Map<string, Uint8Array>();
  /** Blob bytes read from the source so far, for progress lines. */
  private bytesRead = 0;

  constructor(
    private readonly src: BlobStore,
    private readonly dst: ImageWriter,
    private readonly opts: Resolved,
    private readonly ctx: StageContext,
  ) {}

  /** Copies a manifest (and what it references) that has been read already. */
  async manifest(desc: Descriptor, bytes: Uint8Array, place: { tag?: string; root: boolean }): Promise<void> {
    if (this.manifestsDone.has(desc.digest)) return;
    this.manifestsDone.add(desc.digest);
    this.ctx.signal.throwIfAborted();
    const parsed = parseManifest(bytes, desc.mediaType, `manifest ${desc.digest}`);
    const item: CopiedItem = { kind: 'manifest', digest: desc.digest, mediaType: desc.mediaType, size: desc.size };
    if (await this.dst.hasManifest(desc)) {
      this.skipped.push(item);
      // Present means complete (children first); a tag may still need moving onto it.
      if (place.tag !== undefined) await this.dst.putManifest(desc, bytes, place);
    } else {
      await this.children(parsed);
      await this.dst.putManifest(desc, bytes, place);
      this.transferred.push(item);
    }
    if (this.opts.referrers) await this.referrersOf(desc.digest);
    if (parsed.kind === 'index' && this.opts.referrers) {
      for (const child of parsed.index.manifests) await this.referrersOf(child.digest);
    }
  }

  private async children(parsed: ParsedManifest): Promise<void> {
    if (parsed.kind === 'index') {
      for (const child of parsed.index.manifests) {
        await this.manifest(child, await this.readManifest(child), { root: false });
      }
      return;
    }
    const blobs = [parsed.manifest.config, ...parsed.manifest.layers];
    await mapLimit(blobs, this.opts.concurrency, (b) => this.blob(b));
  }

  /** One transfer per digest even when several manifests share a blob (multi-platform images share layers). */
  private blob(desc: Descriptor): Promise<void> {
    let pending = this.blobsDone.get(desc.digest);
    if (pending === undefined) {
      pending = this.transferBlob(desc);
      this.blobsDone.set(desc.digest, pending);
    }
    return pending;
  }

  private async transferBlob(desc: Descriptor): Promise<void> {
    const item: CopiedItem = { kind: 'blob', digest: desc.digest, mediaType: desc.mediaType, size: desc.size };
    if (await this.dst.hasBlob(desc)) {
      this.skipped.push(item);
      return;
    }
    this.ctx.log.progress(`copying to ${this.dst.name}`);
    const how = await this.dst.putBlob(desc, async () => this.counted(await this.src.openBlob(desc)), this.src);
    this.transferred.push(how === 'mounted' ? { ...item, mounted: true } : item);
  }

  /** `stream` as it is, counting its bytes into the progress line (a large layer takes minutes on a slow link). */
  private counted(stream: Readable): Readable {
    const counter = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.bytesRead += chunk.length;
        this.ctx.log.tick(`copying to ${this.dst.name}: ${formatBytes(this.bytesRead)} of blobs sent`);
        done(null, chunk);
      },
    });
    // pipeline passes a source error on to the counter, which the destination is reading.
    pipeline(stream, counter, () => {});
    return counter;
  }

  async readManifest(desc: Descriptor): Promise<Uint8Array> {
    const known = this.manifestBytes.get(desc.digest);
    if (known !== undefined) return known;
    const { bytes } = await this.src.readManifest(desc.digest);
    // A BlobStore need not verify; the copy does, once, before anything is written.
    if (digestOf(bytes) !== desc.digest || bytes.length !== desc.size) {
      fail('DIGEST_MISMATCH', `manifest ${desc.digest} read from the source does not match its descriptor`);
    }
    this.manifestBytes.set(desc.digest, bytes);
    return bytes;
  }

  private async referrersOf(subject: Digest): Promise<void> {
    const format = this.opts.signatureFormat;
    for (const r of (await this.src.listReferrers?.(subject)) ?? []) {
      if (this.manifestsDone.has(r.digest) || (format === 'tags' && isSigstoreBundleReferrer(r))) continue;
      await this.manifest(r, await this.readManifest(r), { root: true });
    }
    if (format === 'referrers') return;
    for (const suffix of [COSIGN_SIGNATURE_SUFFIX, COSIGN_ATTESTATION_SUFFIX] as const) {
      await this.cosignTag(cosignTag(subject, suffix));
    }
  }

  /**
   * Copies cosign tag `tag` when the source has it: its blobs, then the manifest under the same tag, or, when the
   * destination has that tag already, the destination's manifest with the source's layers it lacks.
   */
  private async cosignTag(tag: string): Promise<void> {
    const found = await readCosignTag(this.src, tag);
    if (found === undefined || this.manifestsDone.has(found.descriptor.digest)) return;
    this.manifestsDone.add(found.descriptor.digest);
    const parsed = parseManifest(found.bytes, found.descriptor.mediaType, `${tag} in the source`);
    if (parsed.kind !== 'manifest') fail('INVALID_INPUT', `${tag} in the source is an index, not a cosign manifest`);
    const item: CopiedItem = { kind: 'manifest', ...found.descriptor };
    await this.children(parsed);
    const dstStore = this.opts.destinationStore;
    const there = dstStore === undefined ? undefined : await readCosignTag(dstStore, tag);
    if (there?.descriptor.digest === found.descriptor.digest) {
      this.skipped.push(item);
    } else if (there === undefined || dstStore === undefined) {
      await this.dst.putManifest(found.descriptor, found.bytes, { tag, root: true });
      this.transferred.push(item);
    } else {
      const place = { name: this.dst.name, store: dstStore, requireWriter: () => this.dst };
      const merged = await appendCosignLayers(place, tag, parsed.manifest.layers);
      if (merged.digest === there.descriptor.digest) this.skipped.push(item);
      else this.transferred.push({ ...item, digest: merged.digest, size: merged.size });
    }
  }
}

/** The manifest for `platform` out of an index; a single manifest is taken as it is. */
function choosePlatform(parsed: ParsedManifest, platform: Platform): Descriptor | undefined {
  if (parsed.kind !== 'index') return undefined;
  const hit = pickPlatform(parsed.index.manifests, platform);
  if (hit === undefined) {
    fail('NOT_FOUND', `the image has no manifest for ${platform.os}/${platform.architecture}`, {
      hint: 'copy all platforms, or pick one the index lists',
    });
  }
  return hit;
}

/**
 * Copies `src.ref` into `dst`. Throws DIGEST_MISMATCH when source content does not match its descriptors
 * (nothing of that blob is stored), registry errors from registry.errors, NOT_FOUND for a missing platform.
 */
export async function copyImage(
  src: CopySource,
  dst: ImageWriter,
  opts: CopyOptions,
  ctx: StageContext,
): Promise<CopyReport> {
  const resolved: Resolved = {
    allPlatforms: opts.allPlatforms ?? true,
    referrers: opts.referrers ?? true,
    signatureFormat: opts.signatureFormat ?? DEFAULT_SIGNATURE_FORMAT,
    ...(opts.destinationStore !== undefined && { destinationStore: opts.destinationStore }),
    concurrency: Math.max(1, opts.concurrency ?? 4),
    ...(opts.platform !== undefined && { platform: opts.platform }),
  };
  if (!resolved.allPlatforms && resolved.platform === undefined) {
    fail('USAGE', 'copying a single platform needs the platform');
  }
  const copier = new Copier(src.store, dst, resolved, ctx);
  const top = await src.store.readManifest(src.ref);
  let desc: Descriptor = { mediaType: top.mediaType, digest: digestOf(top.bytes), size: top.bytes.length };
  let bytes = top.bytes;
  const chosen =
    resolved.platform === undefined || resolved.allPlatforms
      ? undefined
      : choosePlatform(parseManifest(bytes, desc.mediaType), resolved.platform);
  if (chosen !== undefined) {
    bytes = await copier.readManifest(chosen);
    desc = { mediaType: chosen.mediaType, digest: chosen.digest, size: chosen.size };
  }
  await copier.manifest(desc, bytes, { ...(opts.tag !== undefined && { tag: opts.tag }), root: true });
  const platformTags =
    opts.platformTags === true && opts.tag !== undefined && chosen === undefined
      ? await tagPlatforms(copier, dst, opts.tag, parseManifest(bytes, desc.mediaType))
      : [];
  // Mounted blobs cost no transfer: they count as neither transferred nor skipped bytes.
  const sum = (items: readonly CopiedItem[]) => items.reduce((n, i) => n + (i.mounted ? 0 : i.size), 0);
  return {
    descriptor: desc,
    transferred: copier.transferred,
    skipped: copier.skipped,
    bytesTransferred: sum(copier.transferred),
    bytesSkipped: sum(copier.skipped),
    platformTags,
  };
}

/** The `TAG-ARCH` tags of a copied index's platform manifests (none for a single manifest). */
async function tagPlatforms(copier: Copier, dst: ImageWriter, tag: string, top: ParsedManifest): Promise<string[]> {
  if (top.kind !== 'index') return [];
  const manifests = [];
  for (const descriptor of top.index.manifests) {
    manifests.push({ descriptor, bytes: await copier.readManifest(descriptor) });
  }
  return tagPlatformManifests(dst, [tag], manifests);
}
