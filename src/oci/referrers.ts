import { Readable } from 'node:stream';
import { fail, isIroncladError } from '../core/index.ts';
import {
  buildCosignManifest,
  COSIGN_ATTESTATION_SUFFIX,
  COSIGN_SIGNATURE_SUFFIX,
  type CosignSuffix,
  cosignTag,
  mergeCosignLayers,
} from './cosign-tags.ts';
import { digestOf, parseDigest } from './digest.ts';
import type { ImageWriter } from './endpoint.ts';
import { REF_NAME_ANNOTATION } from './layout.ts';
import { type ImageManifest, MAX_MANIFEST_BYTES, parseManifest } from './manifest.ts';
import { buildArtifactManifest, EMPTY_DESCRIPTOR, EMPTY_JSON_BYTES } from './manifest-build.ts';
import type { BlobStore, Descriptor, Digest } from './types.ts';

/*
 * Referrers: artifacts (signatures, attestations, SBOMs, VEX) kept beside an image and pointing at it
 * (OCI image spec 1.1 manifest `subject`; distribution spec 1.1 "Listing Referrers"). "Attach an artifact to a
 * subject" and "the referrers of type X" are written here once, on top of a transport's BlobStore and
 * ImageWriter (STYLE.md rule 18). How a referrer is stored is a ReferrerScheme, so a second storage (cosign's
 * `sha256-<hex>.sig`/`.att` tags) is another scheme, invisible to callers.
 */

/**
 * cosign bundle specification (specs/BUNDLE_SPEC.md): the predicate type of an attestation referrer, copied by
 * registries into the referrers index so a reader can pick attestations without fetching them.
 */
export const PREDICATE_TYPE_ANNOTATION = 'dev.sigstore.bundle.predicateType';

/**
 * Whether a referrer holds a sigstore bundle (a signature or an attestation), by its artifact type
 * (`application/vnd.dev.sigstore.bundle.v0.3+json` and the other bundle versions' spellings).
 */
export function isSigstoreBundleReferrer(d: Descriptor): boolean {
  return d.artifactType?.startsWith('application/vnd.dev.sigstore.bundle') === true;
}

/** One blob of an artifact, by content. */
export interface ArtifactBlob {
  readonly mediaType: string;
  readonly bytes: Uint8Array;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An artifact to attach: what it is, what it is about, and its blobs. */
export interface Artifact {
  readonly artifactType: string;
  /** The manifest or index the artifact is about; only media type, digest and size are recorded. */
  readonly subject: { readonly mediaType: string; readonly digest: string; readonly size: number };
  /** The config blob; without one, the OCI empty descriptor (manifest.md, "Guidance for an Empty Descriptor"). */
  readonly config?: ArtifactBlob;
  /** The payload, in order (cosign readers take the first layer as the bundle). Empty means the empty blob. */
  readonly layers: readonly ArtifactBlob[];
  /** Manifest annotations; registries copy them into the referrers index, and so does our layout listing. */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * The same signature or attestation as one layer of cosign's `sha256-<hex>.sig` or `.att` tag manifest
   * (cosign-tags.ts). Only signed artifacts have one; `--signature-format` chooses which forms are written.
   */
  readonly cosign?: { readonly suffix: CosignSuffix; readonly layer: ArtifactBlob };
}

/** An artifact as bytes: its manifest, and the blobs that must be stored before it. */
export interface BuiltArtifact {
  readonly manifest: { readonly bytes: Uint8Array; readonly descriptor: Descriptor };
  readonly blobs: readonly { readonly desc: Descriptor; readonly bytes: Uint8Array }[];
  /** Its cosign tag form: the tag of its subject and the one layer it adds there. */
  readonly cosign?: { readonly tag: string; readonly layer: { readonly desc: Descriptor; readonly bytes: Uint8Array } };
}

/** The artifact manifest of `a` (a pure function of it: equal artifacts give equal digests). */
export function buildArtifact(a: Artifact): BuiltArtifact {
  const blob = (b: ArtifactBlob) => ({
    desc: {
      mediaType: b.mediaType,
      digest: digestOf(b.bytes),
      size: b.bytes.length,
      ...(b.annotations !== undefined && { annotations: b.annotations }),
    },
    bytes: b.bytes,
  });
  const config = a.config === undefined ? undefined : blob(a.config);
  const layers = a.layers.map(blob);
  const subject: Descriptor = {
    mediaType: a.subject.mediaType,
    digest: parseDigest(a.subject.digest, 'referrer subject'),
    size: a.subject.size,
  };
  const manifest = buildArtifactManifest({
    artifactType: a.artifactType,
    subject,
    ...(config !== undefined && { config: config.desc }),
    blobs: layers.map((l) => l.desc),
    ...(a.annotations !== undefined && { annotations: a.annotations }),
  });
  const empty =
    config === undefined || layers.length === 0 ? [{ desc: EMPTY_DESCRIPTOR, bytes: EMPTY_JSON_BYTES }] : [];
  return {
    // Listings carry the manifest's annotations; keep them on the descriptor a layout records too.
    manifest: {
      bytes: manifest.bytes,
      descriptor: { ...manifest.descriptor, ...(a.annotations !== undefined && { annotations: a.annotations }) },
    },
    blobs: [...empty, ...(config === undefined ? [] : [config]), ...layers],
    ...(a.cosign !== undefined && {
      cosign: { tag: cosignTag(subject.digest, a.cosign.suffix), layer: blob(a.cosign.layer) },
    }),
  };
}

/** The transport parts a referrer scheme works on. */
export interface ReferrerPlace {
  readonly name: string;
  readonly store: BlobStore;
  readonly writer: ImageWriter | undefined;
  requireWriter(): ImageWriter;
}

/** One way referrers are stored in a repository or layout. */
export interface ReferrerScheme {
  readonly name: string;
  /**
   * Stores `artifact` so that `list` finds it and returns the manifest that holds it; undefined when this scheme
   * does not store this kind of artifact. Absent when the scheme is only read.
   */
  write?(artifact: BuiltArtifact, place: ReferrerPlace): Promise<Descriptor | undefined>;
  /** Manifests about `subject` kept in this scheme. */
  list(subject: Digest, place: ReferrerPlace): Promise<Descriptor[]>;
}

/**
 * Where signatures and attestations are written: as OCI 1.1 referrers holding sigstore bundles, as cosign's
 * `sha256-<hex>.sig`/`.att` tags, or both. Unsigned referrers (SBOM and VEX documents) are always OCI referrers,
 * and both forms are always read.
 */
export type SignatureFormat = 'referrers' | 'tags' | 'both';
export const SIGNATURE_FORMATS: readonly SignatureFormat[] = ['referrers', 'tags', 'both'];

/**
 * OCI 1.1 referrers: an artifact manifest with `subject`, pushed by digest. Registries without the referrers API
 * get the referrers tag schema index (registry writer); a layout lists it in index.json. With `signed` false, only
 * artifacts that have no cosign form are written here (the `tags` signature format).
 */
function ociReferrerScheme(signed: boolean): ReferrerScheme {
  return {
    name: 'oci-referrers',
    async write(artifact, place) {
      if (!signed && artifact.cosign !== undefined) return undefined;
      const writer = place.requireWriter();
      for (const { desc, bytes } of artifact.blobs) {
        // Attaching again (or a second platform sharing a payload) finds most blobs there already.
        if (await writer.hasBlob(desc)) continue;
        await writer.putBlob(desc, async () => Readable.from([bytes]));
      }
      const { descriptor, bytes } = artifact.manifest;
      await writer.putManifest(descriptor, bytes, { root: true });
      return descriptor;
    },
    async list(subject, place) {
      return (await place.store.listReferrers?.(subject)) ?? [];
    },
  };
}

/** The manifest under cosign tag `tag` in `store`, or undefined when the tag does not exist. */
export async function readCosignTag(
  store: BlobStore,
  tag: string,
): Promise<{ readonly descriptor: Descriptor; readonly bytes: Uint8Array } | undefined> {
  const found = await store.readManifest(tag).catch((err: unknown) => {
    if (isIroncladError(err, 'NOT_FOUND')) return undefined;
    throw err;
  });
  if (found === undefined) return undefined;
  const descriptor = { mediaType: found.mediaType, digest: digestOf(found.bytes), size: found.bytes.length };
  return { descriptor, bytes: found.bytes };
}

/**
 * Adds `layers` (blobs stored already) to the cosign tag `tag` in `place`: the manifest there, if any, keeps its
 * layers and gains those it lacks. Returns the manifest now under the tag.
 * @throws INVALID_INPUT when the tag holds something that is not an image manifest (nothing is overwritten).
 */
export async function appendCosignLayers(
  place: Pick<ReferrerPlace, 'name' | 'store' | 'requireWriter'>,
  tag: string,
  layers: readonly Descriptor[],
): Promise<Descriptor> {
  const writer = place.requireWriter();
  const current = await readCosignTag(place.store, tag);
  let existing: readonly Descriptor[] = [];
  if (current !== undefined) {
    const parsed = parseManifest(current.bytes, current.descriptor.mediaType, `${place.name}:${tag}`);
    if (parsed.kind !== 'manifest') {
      fail('INVALID_INPUT', `${place.name}:${tag} is an image index, not a cosign signature manifest`, {
        hint: 'remove or rename that tag; cosign keeps the signatures of a digest in an image manifest under it',
      });
    }
    existing = parsed.manifest.layers;
  }
  const merged = mergeCosignLayers(existing, layers);
  if (merged === undefined && current !== undefined) return current.descriptor;
  const { manifest, config } = buildCosignManifest(merged ?? existing);
  if (!(await writer.hasBlob(config.descriptor))) {
    await writer.putBlob(config.descriptor, async () => Readable.from([config.bytes]));
  }
  await writer.putManifest(manifest.descriptor, manifest.bytes, { tag, root: true });
  return manifest.descriptor;
}

/**
 * cosign's tag scheme (cosign-tags.ts): manifests tagged `sha256-<hex>.sig` and `.att` beside the image, listed
 * with their tag in the ref.name annotation. With `writes`, a signed artifact's cosign layer is appended to its
 * subject's tag; without, the scheme is only read (images signed by cosign are verified either way).
 */
function cosignTagScheme(writes: boolean): ReferrerScheme {
  return {
    name: 'cosign-tags',
    async write(artifact, place) {
      if (!writes || artifact.cosign === undefined) return undefined;
      const { tag, layer } = artifact.cosign;
      const writer = place.requireWriter();
      if (!(await writer.hasBlob(layer.desc)))
        await writer.putBlob(layer.desc, async () => Readable.from([layer.bytes]));
      return appendCosignLayers(place, tag, [layer.desc]);
    },
    async list(subject, place) {
      const out: Descriptor[] = [];
      for (const suffix of [COSIGN_SIGNATURE_SUFFIX, COSIGN_ATTESTATION_SUFFIX] as const) {
        const tag = cosignTag(subject, suffix);
        const found = await readCosignTag(place.store, tag);
        if (found !== undefined) out.push({ ...found.descriptor, annotations: { [REF_NAME_ANNOTATION]: tag } });
      }
      return out;
    },
  };
}

/** The schemes for `format`: every one is read, the format chooses which write signed artifacts. */
export function referrerSchemes(format: SignatureFormat): readonly ReferrerScheme[] {
  return [ociReferrerScheme(format !== 'tags'), cosignTagScheme(format !== 'referrers')];
}

/** The default: signatures and attestations in both forms, so every verifier finds them. */
export const DEFAULT_SIGNATURE_FORMAT: SignatureFormat = 'both';
export const DEFAULT_REFERRER_SCHEMES: readonly ReferrerScheme[] = referrerSchemes(DEFAULT_SIGNATURE_FORMAT);

/** Which referrers a caller wants: by artifact type (one or several) and/or by attested predicate type. */
export interface ReferrerFilter {
  readonly artifactType?: string | readonly string[];
  readonly predicateType?: string;
}

/** A referrer's manifest, verified and parsed. */
export interface ReferrerManifest {
  readonly descriptor: Descriptor;
  readonly manifest: ImageManifest;
}

/** Referrers of the images in one place (a layout, the store, a registry repository). */
export interface Referrers {
  /** For messages: the layout directory or `host/repo`. */
  readonly name: string;
  /**
   * Stores `artifact` (blobs, then its manifest) as a referrer of its subject, in every scheme that stores it (a
   * signature as an OCI referrer and in its cosign tag, per the signature format). Idempotent: equal artifacts give
   * the same descriptors. Returns the first one written (the OCI referrer when there is one).
   * @throws USAGE for a read-only place.
   */
  attach(artifact: Artifact): Promise<Descriptor>;
  /** Manifests about `subject`, scheme by scheme in order (OCI referrers, then cosign tags), filtered. */
  list(subject: Digest, filter?: ReferrerFilter): Promise<Descriptor[]>;
  /** A blob or manifest, at most `maxBytes`, checked against `desc`. @throws DIGEST_MISMATCH, NOT_FOUND. */
  readBlob(desc: Descriptor, maxBytes: number): Promise<Uint8Array>;
  /** The image-manifest referrers of `subject` matching `filter`, parsed (index referrers are left out). */
  manifests(subject: Digest, filter?: ReferrerFilter): Promise<ReferrerManifest[]>;
  /**
   * The documents attached to `subject` as `artifactType`: every layer of that media type in every referrer of
   * that type (an SBOM, a VEX document), verified, each at most `maxBytes`.
   */
  documents(
    subject: Digest,
    artifactType: string,
    maxBytes: number,
  ): Promise<{ readonly referrer: Descriptor; readonly layer: Descriptor; readonly bytes: Uint8Array }[]>;
}

export function matchesFilter(d: Descriptor, filter: ReferrerFilter): boolean {
  const types = filter.artifactType;
  if (types !== undefined && !(typeof types === 'string' ? [types] : types).includes(d.artifactType ?? '')) {
    return false;
  }
  return filter.predicateType === undefined || d.annotations?.[PREDICATE_TYPE_ANNOTATION] === filter.predicateType;
}

/** Derives Referrers from a place and its schemes (each scheme that writes an artifact stores it). */
export function referrersFrom(
  place: ReferrerPlace & { readBlob(desc: Descriptor, maxBytes: number): Promise<Uint8Array> },
  schemes: readonly ReferrerScheme[],
): Referrers {
  const list = async (subject: Digest, filter: ReferrerFilter = {}) => {
    const out: Descriptor[] = [];
    for (const scheme of schemes) out.push(...(await scheme.list(subject, place)));
    return out.filter((d) => matchesFilter(d, filter));
  };
  const manifests = async (subject: Digest, filter: ReferrerFilter = {}) => {
    const out: ReferrerManifest[] = [];
    for (const descriptor of await list(subject, filter)) {
      const bytes = await place.readBlob(descriptor, MAX_MANIFEST_BYTES);
      const parsed = parseManifest(bytes, descriptor.mediaType, `referrer ${descriptor.digest} in ${place.name}`);
      if (parsed.kind === 'manifest') out.push({ descriptor, manifest: parsed.manifest });
    }
    return out;
  };
  return {
    name: place.name,
    async attach(artifact) {
      const built = buildArtifact(artifact);
      const written: Descriptor[] = [];
      for (const scheme of schemes) {
        const desc = await scheme.write?.(built, place);
        if (desc !== undefined) written.push(desc);
      }
      return written[0] ?? fail('USAGE', `${place.name}: no way to store referrers here`);
    },
    list,
    readBlob: (desc, maxBytes) => place.readBlob(desc, maxBytes),
    manifests,
    async documents(subject, artifactType, maxBytes) {
      const out = [];
      for (const { descriptor, manifest } of await manifests(subject, { artifactType })) {
        for (const layer of manifest.layers.filter((l) => l.mediaType === artifactType)) {
          out.push({ referrer: descriptor, layer, bytes: await place.readBlob(layer, maxBytes) });
        }
      }
      return out;
    },
  };
}
