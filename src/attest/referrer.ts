import { canonicalJsonBytes, fail, sha256Hex } from '../core/index.ts';
import {
  COSIGN_ATTESTATION_SUFFIX,
  COSIGN_PREDICATE_ANNOTATION,
  COSIGN_SIGNATURE_ANNOTATION,
  COSIGN_SIGNATURE_SUFFIX,
  type CosignSuffix,
  DSSE_ENVELOPE_MEDIA_TYPE,
  PREDICATE_TYPE_ANNOTATION,
} from '../oci/index.ts';
import { parseBundle, SIGSTORE_BUNDLE_V03_MEDIA_TYPE } from './bundle.ts';
import { envelopeToJson } from './dsse.ts';
import { encodeBase64 } from './encoding.ts';
import type { ImageSignature } from './sign.ts';
import { SIMPLE_SIGNING_MEDIA_TYPE } from './simple-signing.ts';

/*
 * How a signed bundle is attached to an image as an OCI 1.1 referrer, following cosign's bundle specification
 * (specs/BUNDLE_SPEC.md): an image manifest with `artifactType` = the bundle media type, the empty config, the
 * bundle as its (first) layer, `subject` = the image, and `dev.sigstore.bundle.*` annotations that registries copy
 * into the referrers index so clients can tell bundles apart without fetching them. Each also carries its form in
 * cosign's classic tag layout (specs/SIGNATURE_SPEC.md, ATTESTATION_SPEC.md): the same signature as one layer of
 * the subject's `sha256-<hex>.sig` or `.att` manifest, derived from the bundle alone. This module only describes
 * the artifact; which forms are written, and how, is the OCI layer's job.
 */

/** OCI image spec manifest.md, "Guidance for an Empty Descriptor": the two bytes `{}`. */
export const OCI_EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';
const EMPTY_JSON = new TextEncoder().encode('{}');

export const ANNOTATION_BUNDLE_CONTENT = 'dev.sigstore.bundle.content';
export const ANNOTATION_BUNDLE_PREDICATE_TYPE = PREDICATE_TYPE_ANNOTATION;
const ANNOTATION_CREATED = 'org.opencontainers.image.created';
const ANNOTATION_TITLE = 'org.opencontainers.image.title';

/** An OCI descriptor (descriptor.md) for a blob of this artifact; `digest` is `sha256:<hex>` of `bytes`. */
export interface ReferrerBlob {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly bytes: Uint8Array;
}

/** The image (manifest or index) the artifact refers to. */
export interface ReferrerSubject {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

/** Everything the OCI layer needs to write one referrer manifest and its blobs. */
export interface ReferrerArtifact {
  readonly artifactType: string;
  readonly config: ReferrerBlob;
  /** Bundle first: cosign-compatible readers take `layers[0]` as the bundle. */
  readonly layers: readonly ReferrerBlob[];
  readonly subject: ReferrerSubject;
  /** Manifest annotations; registries propagate them to the referrers index. */
  readonly annotations: Readonly<Record<string, string>>;
  /** The same signature as a layer of the subject's cosign tag. */
  readonly cosign: { readonly suffix: CosignSuffix; readonly layer: ReferrerBlob };
}

export interface ReferrerOptions {
  /**
   * RFC 3339 creation time for `org.opencontainers.image.created`. Omitted by default so the referrer manifest is
   * a pure function of the bundle; pass the SOURCE_DATE_EPOCH time when a date is wanted.
   */
  readonly created?: string;
}

/** The referrer for an in-toto attestation bundle (DSSE content) about `subject`. */
export function attestationReferrer(
  bundleBytes: Uint8Array,
  subject: ReferrerSubject,
  predicateType: string,
  options: ReferrerOptions = {},
): ReferrerArtifact {
  return {
    artifactType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    config: emptyConfig(),
    layers: [bundleBlob(bundleBytes)],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: {
      [ANNOTATION_BUNDLE_CONTENT]: 'dsse-envelope',
      [ANNOTATION_BUNDLE_PREDICATE_TYPE]: predicateType,
      ...created(options),
    },
    cosign: { suffix: COSIGN_ATTESTATION_SUFFIX, layer: cosignAttestationLayer(bundleBytes, predicateType) },
  };
}

/**
 * The referrer for a plain image signature. The message-signature bundle holds only the payload digest, so the
 * simple-signing payload travels as a second layer; verification reads both.
 */
export function imageSignatureReferrer(
  signature: ImageSignature,
  subject: ReferrerSubject,
  options: ReferrerOptions = {},
): ReferrerArtifact {
  return {
    artifactType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    config: emptyConfig(),
    layers: [bundleBlob(signature.bundle), blob(SIMPLE_SIGNING_MEDIA_TYPE, signature.payload)],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { [ANNOTATION_BUNDLE_CONTENT]: 'message-signature', ...created(options) },
    cosign: { suffix: COSIGN_SIGNATURE_SUFFIX, layer: cosignSignatureLayer(signature) },
  };
}

/**
 * cosign SIGNATURE_SPEC.md, "OCI Image Manifest V1": the simple-signing payload as the layer, of media type
 * `application/vnd.dev.cosign.simplesigning.v1+json`, with the base64 signature over it in the layer annotation.
 */
function cosignSignatureLayer(signature: ImageSignature): ReferrerBlob {
  const bundle = parseBundle(signature.bundle);
  if (bundle.kind !== 'message-signature') return fail('INTERNAL', 'an image signature bundle holds a DSSE envelope');
  return blob(SIMPLE_SIGNING_MEDIA_TYPE, signature.payload, {
    [COSIGN_SIGNATURE_ANNOTATION]: encodeBase64(bundle.signature),
  });
}

/**
 * cosign ATTESTATION_SPEC.md: the DSSE envelope JSON (payload and signatures base64) as the layer, of media type
 * `application/vnd.dsse.envelope.v1+json`, with cosign's `predicateType` layer annotation.
 */
function cosignAttestationLayer(bundleBytes: Uint8Array, predicateType: string): ReferrerBlob {
  const bundle = parseBundle(bundleBytes);
  if (bundle.kind !== 'dsse') return fail('INTERNAL', 'an attestation bundle holds no DSSE envelope');
  return blob(DSSE_ENVELOPE_MEDIA_TYPE, canonicalJsonBytes(envelopeToJson(bundle.envelope)), {
    [COSIGN_PREDICATE_ANNOTATION]: predicateType,
  });
}

function bundleBlob(bytes: Uint8Array): ReferrerBlob {
  const hex = sha256Hex(bytes);
  // cosign BUNDLE_SPEC "Layer Annotations": a collision-free file name for tools such as `oras pull`.
  return blob(SIGSTORE_BUNDLE_V03_MEDIA_TYPE, bytes, { [ANNOTATION_TITLE]: `sha256-${hex}.sigstore.json` });
}

function emptyConfig(): ReferrerBlob {
  return blob(OCI_EMPTY_MEDIA_TYPE, EMPTY_JSON);
}

function blob(mediaType: string, bytes: Uint8Array, annotations?: Record<string, string>): ReferrerBlob {
  return {
    mediaType,
    digest: `sha256:${sha256Hex(bytes)}`,
    size: bytes.byteLength,
    ...(annotations === undefined ? {} : { annotations }),
    bytes,
  };
}

function created(options: ReferrerOptions): Record<string, string> {
  return options.created === undefined ? {} : { [ANNOTATION_CREATED]: options.created };
}
