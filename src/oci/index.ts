/**
 * The image format layer: digests, media types, manifests, deterministic tar layers, OCI image layouts,
 * docker-archive reading, references, and the one ImageSource abstraction every stage reads images through.
 */

export { decompress, sniffCompression } from './decompress.ts';
export { Digester, digestHex, digestOf, isDigest, parseDigest } from './digest.ts';
export { dockerArchiveBlobStore } from './docker-archive.ts';
export type { EndpointCore, EndpointOptions, ImageEndpoint, ImageWriter } from './endpoint.ts';
export { endpointFrom } from './endpoint.ts';
export { type FlattenOptions, type FsEntry, flattenImage, ImageFilesystem } from './filesystem.ts';
export { type ImageSourceOptions, imageSourceFrom } from './image-source.ts';
export {
  type BlobProblem,
  checkImageBlobs,
  corruptLayoutBlobs,
  type IntegrityOptions,
  type IntegrityResult,
} from './integrity.ts';
export { DEFAULT_GZIP_LEVEL, type WriteLayerOptions, type WrittenLayer, writeLayer } from './layer.ts';
export { type GcResult, LayoutStore, type LayoutTag, REF_NAME_ANNOTATION } from './layout.ts';
export { layoutBlobStore } from './layout-blob-store.ts';
export { layoutCore, layoutWriter } from './layout-endpoint.ts';
export {
  type ImageIndex,
  type ImageManifest,
  MAX_CONFIG_BYTES,
  MAX_MANIFEST_BYTES,
  type ParsedManifest,
  parseImageConfig,
  parseManifest,
} from './manifest.ts';
export {
  type BuiltBlob,
  buildArtifactManifest,
  buildImageConfig,
  buildIndex,
  buildManifest,
  descriptorJson,
  EMPTY_DESCRIPTOR,
  EMPTY_JSON_BYTES,
  type ManifestInput,
} from './manifest-build.ts';
export {
  isImageConfigMediaType,
  isIndexMediaType,
  isManifestMediaType,
  type LayerCompression,
  layerCompression,
  MediaType,
  ociLayerMediaType,
} from './media-types.ts';
export { openImageSource } from './open-source.ts';
export { formatPlatform, hostPlatform, parsePlatform, pickPlatform, platformMatches } from './platform.ts';
export { readAll } from './read-all.ts';
export { DEFAULT_REGISTRY, parseImageRef } from './ref.ts';
export type {
  Artifact,
  ArtifactBlob,
  BuiltArtifact,
  ReferrerFilter,
  ReferrerManifest,
  ReferrerPlace,
  ReferrerScheme,
  Referrers,
} from './referrers.ts';
export {
  buildArtifact,
  COSIGN_ATTESTATION_SUFFIX,
  COSIGN_SIGNATURE_SUFFIX,
  cosignTag,
  cosignTagScheme,
  DEFAULT_REFERRER_SCHEMES,
  ociReferrerScheme,
  PREDICATE_TYPE_ANNOTATION,
} from './referrers.ts';
export {
  DEFAULT_TAR_LIMITS,
  readTar,
  type TarEntryType,
  type TarHeader,
  type TarLimits,
  type TarReadEntry,
} from './tar-reader.ts';
export { tarBytes, tarStream } from './tar-writer.ts';
export {
  formatImageRef,
  layoutEndpoint,
  type OpenEndpointOptions,
  openEndpoint,
  type RegistryRef,
  sourceTag,
  storeTagName,
  untaggedByDigest,
} from './transports.ts';
export type {
  BlobStore,
  Descriptor,
  Digest,
  ImageConfig,
  ImageRef,
  ImageSource,
  LayerHandle,
  Platform,
  ResolvedImage,
  TarEntry,
} from './types.ts';
export { type UnpackOptions, type UnpackResult, unpackImage } from './unpack.ts';
export { verifyBytes, verifyingStream } from './verify.ts';
