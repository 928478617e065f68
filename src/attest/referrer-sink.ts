import { fail } from '../core/index.ts';
import {
  buildArtifactManifest,
  type Descriptor,
  type Digest,
  digestHex,
  type LayoutStore,
  parseDigest,
  REF_NAME_ANNOTATION,
  verifyBytes,
} from '../oci/index.ts';
import type { ReferrerArtifact, ReferrerBlob } from './referrer.ts';

/*
 * Where signatures and attestations of an image live. OCI 1.1 referrers (manifests with a `subject`) are what
 * Ironclad writes; cosign's older tag scheme (`sha256-<hex>.sig` / `.att` manifests tagged beside the image) is
 * read too, so images signed by cosign before referrers existed can still be verified.
 */

/** cosign's tag scheme: the suffixes of the tags that hold signatures and attestations of `sha256-<hex>`. */
export const COSIGN_SIGNATURE_SUFFIX = '.sig';
export const COSIGN_ATTESTATION_SUFFIX = '.att';

/** The cosign tag of `subject` with `suffix` (`.sig` or `.att`). */
export function cosignTag(subject: Digest, suffix: string): string {
  return `sha256-${digestHex(subject)}${suffix}`;
}

/**
 * Storage of referrer artifacts for one repository (a local OCI layout or a registry repository).
 * Implementations verify every blob they return against its descriptor.
 */
export interface ReferrerSink {
  /** For messages: the layout directory or `host/repo`. */
  readonly name: string;
  /**
   * Stores the artifact's blobs and its manifest (an OCI 1.1 artifact manifest with `subject`), making it a
   * referrer of the subject. Idempotent: equal artifacts give the same manifest digest. Returns its descriptor.
   */
  putReferrer(artifact: ReferrerArtifact): Promise<Descriptor>;
  /**
   * Manifests about `subject`: its OCI referrers (with `artifactType` and annotations when known), then any
   * cosign tag manifests, which carry the tag in the `org.opencontainers.image.ref.name` annotation.
   */
  listReferrers(subject: Digest): Promise<Descriptor[]>;
  /** A blob or manifest, at most `maxBytes`, checked against `desc`. @throws DIGEST_MISMATCH, NOT_FOUND. */
  readBlob(desc: Descriptor, maxBytes: number): Promise<Uint8Array>;
}

/** The artifact manifest for a referrer artifact, and the blobs it needs stored first (config, then layers). */
export function referrerManifest(artifact: ReferrerArtifact): {
  readonly manifest: { readonly bytes: Uint8Array; readonly descriptor: Descriptor };
  readonly blobs: readonly ReferrerBlob[];
} {
  const subject: Descriptor = {
    mediaType: artifact.subject.mediaType,
    digest: parseDigest(artifact.subject.digest, 'referrer subject'),
    size: artifact.subject.size,
  };
  const manifest = buildArtifactManifest({
    artifactType: artifact.artifactType,
    subject,
    config: descriptorOf(artifact.config),
    blobs: artifact.layers.map(descriptorOf),
    annotations: artifact.annotations,
  });
  // Registries and our layout list referrers with the manifest's annotations; keep them on the descriptor too.
  const descriptor: Descriptor = { ...manifest.descriptor, annotations: artifact.annotations };
  return { manifest: { bytes: manifest.bytes, descriptor }, blobs: [artifact.config, ...artifact.layers] };
}

/**
 * A ReferrerSink over an OCI image layout: blobs are written verified, and the referrer manifest becomes an
 * untagged index.json entry, which LayoutStore.referrers finds and gc keeps while the subject lives.
 */
export function layoutReferrerSink(store: LayoutStore): ReferrerSink {
  return {
    name: store.dir,
    async putReferrer(artifact) {
      const { manifest, blobs } = referrerManifest(artifact);
      for (const blob of blobs) {
        await store.putBlob(blob.bytes, { digest: parseDigest(blob.digest, 'referrer blob'), size: blob.size });
      }
      await store.putBlob(manifest.bytes, { digest: manifest.descriptor.digest, size: manifest.descriptor.size });
      await store.addManifest(manifest.descriptor);
      return manifest.descriptor;
    },
    async listReferrers(subject) {
      const referrers = await store.referrers(subject);
      const tags = new Set([COSIGN_SIGNATURE_SUFFIX, COSIGN_ATTESTATION_SUFFIX].map((s) => cosignTag(subject, s)));
      const cosign = (await store.readIndex()).manifests.filter((m) =>
        tags.has(m.annotations?.[REF_NAME_ANNOTATION] ?? ''),
      );
      return [...referrers, ...cosign];
    },
    async readBlob(desc, maxBytes) {
      if (desc.size > maxBytes) fail('INVALID_INPUT', `blob ${desc.digest} is larger than ${maxBytes} bytes`);
      const bytes = await store.readBlob(desc.digest, maxBytes);
      verifyBytes(bytes, desc, `blob ${desc.digest} in ${store.dir}`);
      return bytes;
    },
  };
}

function descriptorOf(blob: ReferrerBlob): Descriptor {
  return {
    mediaType: blob.mediaType,
    digest: parseDigest(blob.digest, 'referrer blob'),
    size: blob.size,
    ...(blob.annotations !== undefined && { annotations: blob.annotations }),
  };
}
