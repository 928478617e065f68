import { Readable } from 'node:stream';
import { fail, isIroncladError } from '../core/index.ts';
import { digestHex, digestOf, parseDigest } from './digest.ts';
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

/** cosign's tag scheme: the suffixes of the tags that hold signatures and attestations of `sha256-<hex>`. */
export const COSIGN_SIGNATURE_SUFFIX = '.sig';
export const COSIGN_ATTESTATION_SUFFIX = '.att';

/** The cosign tag of `subject` with `suffix` (`.sig` or `.att`). */
export function cosignTag(subject: Digest, suffix: string): string {
  return `sha256-${digestHex(subject)}${suffix}`;
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
}

/** An artifact as bytes: its manifest, and the blobs that must be stored before it. */
export interface BuiltArtifact {
  readonly manifest: { readonly bytes: Uint8Array; readonly descriptor: Descriptor };
  readonly blobs: readonly { readonly desc: Descriptor; readonly bytes: Uint8Array }[];
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
  /** Stores `artifact` so that `list` finds it; absent when the scheme is only read. Returns its descriptor. */
  write?(artifact: BuiltArtifact, place: ReferrerPlace): Promise<Descriptor>;
  /** Manifests about `subject` kept in this scheme. */
  list(subject: Digest, place: ReferrerPlace): Promise<Descriptor[]>;
}

/**
 * OCI 1.1 referrers: an artifact manifest with `subject`, pushed by digest. Registries without the referrers API
 * get the referrers tag schema index (registry writer); a layout lists it in index.json.
 */
export const ociReferrerScheme: ReferrerScheme = {
  name: 'oci-referrers',
  async write(artifact, place) {
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

/**
 * cosign's tag scheme (cosign `pkg/oci/static`): manifests tagged `sha256-<hex>.sig` and `.att` beside the image,
 * listed with their tag in the ref.name annotation. Read only for now, so images signed by cosign before
 * referrers existed can still be verified.
 */
export const cosignTagScheme: ReferrerScheme = {
  name: 'cosign-tags',
  async list(subject, place) {
    const out: Descriptor[] = [];
    for (const suffix of [COSIGN_SIGNATURE_SUFFIX, COSIGN_ATTESTATION_SUFFIX]) {
      const tag = cosignTag(subject, suffix);
      const found = await place.store.readManifest(tag).catch((err: unknown) => {
        if (isIroncladError(err, 'NOT_FOUND')) return undefined;
        throw err;
      });
      if (found === undefined) continue;
      const desc = { mediaType: found.mediaType, digest: digestOf(found.bytes), size: found.bytes.length };
      out.push({ ...desc, annotations: { [REF_NAME_ANNOTATION]: tag } });
    }
    return out;
  },
};

/** What Ironclad writes (OCI referrers) first, then what it also reads. */
export const DEFAULT_REFERRER_SCHEMES: readonly ReferrerScheme[] = [ociReferrerScheme, cosignTagScheme];

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
   * Stores `artifact` (blobs, then its manifest) as a referrer of its subject, in the first scheme that writes.
   * Idempotent: equal artifacts give the same descriptor. @throws USAGE for a read-only place.
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

/** Derives Referrers from a place and its schemes (the first scheme with `write` is the one written). */
export function referrersFrom(
  place: ReferrerPlace & { readBlob(desc: Descriptor, maxBytes: number): Promise<Uint8Array> },
  schemes: readonly ReferrerScheme[],
): Referrers {
  const writing = schemes.find((s) => s.write !== undefined);
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
      if (writing?.write === undefined) return fail('USAGE', `${place.name}: no way to store referrers here`);
      return writing.write(buildArtifact(artifact), place);
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
