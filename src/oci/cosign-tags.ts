import { digestOf } from './digest.ts';
import { type BuiltBlob, buildImageConfig, buildManifest, descriptorJson } from './manifest-build.ts';
import type { Descriptor, Digest } from './types.ts';

/*
 * cosign's classic tag scheme (cosign specs/SIGNATURE_SPEC.md, "Tag-based Discovery" and "OCI Image Manifest V1";
 * specs/ATTESTATION_SPEC.md, "Overall Layout"). The signatures of `sha256:<hex>` live in one image manifest tagged
 * `sha256-<hex>.sig` in the image's repository, one layer per signature (the simple-signing payload, its base64
 * signature in the layer annotation `dev.cosignproject.cosign/signature`); its attestations in one manifest tagged
 * `sha256-<hex>.att`, one DSSE envelope per layer. Signing again appends a layer; equal layers are kept once.
 * This is where container tools that predate OCI 1.1 referrers (containers/image with `sigstoreSigned`, many
 * cosign and Kyverno versions) look for signatures.
 */

/** The suffixes of the tags holding the signatures and the attestations of a digest. */
export const COSIGN_SIGNATURE_SUFFIX = '.sig';
export const COSIGN_ATTESTATION_SUFFIX = '.att';
export type CosignSuffix = typeof COSIGN_SIGNATURE_SUFFIX | typeof COSIGN_ATTESTATION_SUFFIX;

/** Layer annotation holding the base64 signature over the layer's payload (SIGNATURE_SPEC.md, "Signature"). */
export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
/** Layer annotation cosign writes beside each DSSE envelope of a `.att` manifest: the statement's predicate type. */
export const COSIGN_PREDICATE_ANNOTATION = 'predicateType';
/** The media type of an `.att` layer (ATTESTATION_SPEC.md). */
export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';

const COSIGN_TAG = /^sha256-([0-9a-f]{64})(\.sig|\.att)$/;

/** The cosign tag of `subject` with `suffix`: `sha256:<hex>` → `sha256-<hex>.sig`. */
export function cosignTag(subject: Digest, suffix: CosignSuffix): string {
  return `${subject.replace(':', '-')}${suffix}`;
}

/** The digest a cosign tag is about, or undefined when `name` is not a cosign `.sig`/`.att` tag. */
export function cosignTagSubject(name: string | undefined): Digest | undefined {
  const m = name === undefined ? null : COSIGN_TAG.exec(name);
  return m === null ? undefined : (`sha256:${m[1]}` as Digest);
}

/** A cosign tag manifest and its config, built from its layers. */
export interface CosignManifest {
  readonly manifest: BuiltBlob;
  readonly config: BuiltBlob;
}

/**
 * The manifest cosign's layout describes: an OCI image manifest (no `subject`, no `artifactType`) whose config is
 * an image config listing the layers as its rootfs, so tools that treat the tag as an image can still read it.
 * A pure function of the layers.
 */
export function buildCosignManifest(layers: readonly Descriptor[]): CosignManifest {
  const config = buildImageConfig({
    architecture: '',
    os: '',
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
  });
  return { config, manifest: buildManifest({ config: config.descriptor, layers }) };
}

/**
 * `existing` followed by each of `added` that is not already there (same media type, digest and annotations), or
 * undefined when nothing is new: writing again is then unnecessary.
 */
export function mergeCosignLayers(
  existing: readonly Descriptor[],
  added: readonly Descriptor[],
): Descriptor[] | undefined {
  const key = (d: Descriptor) =>
    JSON.stringify(descriptorJson({ mediaType: d.mediaType, digest: d.digest, size: d.size, ...annotationsOf(d) }));
  const seen = new Set(existing.map(key));
  const fresh = added.filter((d) => {
    const k = key(d);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return fresh.length === 0 ? undefined : [...existing, ...fresh];
}

function annotationsOf(d: Descriptor): Partial<Descriptor> {
  return d.annotations === undefined ? {} : { annotations: d.annotations };
}

/** The descriptor of a cosign layer holding `bytes`. */
export function cosignLayerDescriptor(
  mediaType: string,
  bytes: Uint8Array,
  annotations: Readonly<Record<string, string>>,
): Descriptor {
  return { mediaType, digest: digestOf(bytes), size: bytes.length, annotations };
}
