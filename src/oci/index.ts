/**
 * The image format layer: digests, media types, manifests, deterministic tar layers, OCI image layouts,
 * docker-archive reading, references, and the one ImageSource abstraction every stage reads images through.
 */

export {
  COSIGN_ATTESTATION_SUFFIX,
  COSIGN_PREDICATE_ANNOTATION,
  COSIGN_SIGNATURE_ANNOTATION,
  COSIGN_SIGNATURE_SUFFIX,
  type CosignSuffix,
  cosignTag,
  cosignTagSubject,
  DSSE_ENVELOPE_MEDIA_TYPE,
} from './cosign-tags.ts';
export { decompress } from './decompress.ts';
export { Digester, digestHex, digestOf, isDigest, parseDigest } from './digest.ts';
export type { EndpointCore, ImageEndpoint, ImageWriter } from './endpoint.ts';
export { type FsEntry, flattenImage, ImageFilesystem } from './filesystem.ts';
export { imageSourceFrom } from './image-source.ts';
export { type BlobProblem, checkImageBlobs, corruptLayoutBlobs, type IntegrityResult } from './integrity.ts';
export {
  compressLayer,
  DEFAULT_GZIP_LEVEL,
  DEFAULT_ZSTD_LEVEL,
  type WrittenLayer,
  writeLayer,
  ZSTD_IMPLEMENTATION,
} from './layer.ts';
export { LayoutStore, REF_NAME_ANNOTATION } from './layout.ts';
export { layoutBlobStore } from './layout-blob-store.ts';
export { type LockWaitOptions, withLayoutLock } from './layout-lock.ts';
export { listStoreImages, removeStoreImages, splitStoreTag, storeNameFor } from './local-store.ts';
export { MAX_MANIFEST_BYTES, type ParsedManifest, parseManifest } from './manifest.ts';
export { buildImageConfig, buildIndex, buildManifest, EMPTY_DESCRIPTOR, EMPTY_JSON_BYTES } from './manifest-build.ts';
export { isIndexMediaType, isManifestMediaType, layerCompression, MediaType } from './media-types.ts';
export { openImageSource } from './open-source.ts';
export { formatPlatform, hostPlatform, parsePlatform, pickPlatform, platformMatches } from './platform.ts';
export { type PlatformManifest, tagPlatformManifests } from './platform-tags.ts';
export { readAll } from './read-all.ts';
export { DEFAULT_REGISTRY, isRegistryHost, parseImageRef } from './ref.ts';
export type { Referrers, SignatureFormat } from './referrers.ts';
export {
  appendCosignLayers,
  DEFAULT_SIGNATURE_FORMAT,
  isSigstoreBundleReferrer,
  PREDICATE_TYPE_ANNOTATION,
  readCosignTag,
  referrerSchemes,
  SIGNATURE_FORMATS,
} from './referrers.ts';
export { readTar } from './tar-reader.ts';
export { comparePaths, TAR_FORMAT, tarBytes } from './tar-writer.ts';
export {
  formatImageRef,
  isLayoutRef,
  isLocalDestination,
  isRegistryRef,
  layoutEndpoint,
  namedTag,
  openEndpoint,
  type RegistryRef,
  sourceTag,
  storeTagName,
  untaggedByDigest,
  writesPlatformTags,
} from './transports.ts';
export type {
  BlobStore,
  Descriptor,
  Digest,
  ImageConfig,
  ImageRef,
  ImageSource,
  Platform,
  ResolvedImage,
  TarEntry,
} from './types.ts';
export { unpackImage } from './unpack.ts';
export { verifyBytes, verifyingStream } from './verify.ts';
