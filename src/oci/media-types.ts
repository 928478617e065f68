/**
 * Media types of the OCI image spec (media-types.md) and of Docker's image manifest v2 schema 2, which
 * registries and `docker save` still serve. Constants, so a typo is a compile error rather than a silent
 * mismatch.
 */
export const MediaType = {
  OCI_INDEX: 'application/vnd.oci.image.index.v1+json',
  OCI_MANIFEST: 'application/vnd.oci.image.manifest.v1+json',
  OCI_CONFIG: 'application/vnd.oci.image.config.v1+json',
  OCI_LAYER_TAR: 'application/vnd.oci.image.layer.v1.tar',
  OCI_LAYER_GZIP: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OCI_LAYER_ZSTD: 'application/vnd.oci.image.layer.v1.tar+zstd',
  /** Deprecated by OCI 1.1 but still found in Windows images; read-only support. */
  OCI_LAYER_NONDIST_TAR: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OCI_LAYER_NONDIST_GZIP: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OCI_LAYER_NONDIST_ZSTD: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  /** OCI 1.1 "empty" descriptor content `{}`, used as the config of artifact manifests (manifest.md). */
  OCI_EMPTY: 'application/vnd.oci.empty.v1+json',
  OCI_LAYOUT_HEADER: 'application/vnd.oci.layout.header.v1+json',
  DOCKER_MANIFEST_LIST: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DOCKER_MANIFEST: 'application/vnd.docker.distribution.manifest.v2+json',
  DOCKER_CONFIG: 'application/vnd.docker.container.image.v1+json',
  DOCKER_LAYER_GZIP: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** Uncompressed Docker layer, as skopeo labels the layers of a docker-archive. */
  DOCKER_LAYER_TAR: 'application/vnd.docker.image.rootfs.diff.tar',
  DOCKER_LAYER_FOREIGN_GZIP: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

export type LayerCompression = 'gzip' | 'zstd' | 'none';

/** An index (OCI image index or Docker manifest list): a list of manifests, usually one per platform. */
export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MediaType.OCI_INDEX || mediaType === MediaType.DOCKER_MANIFEST_LIST;
}

/** A single-image manifest (OCI or Docker schema 2). */
export function isManifestMediaType(mediaType: string): boolean {
  return mediaType === MediaType.OCI_MANIFEST || mediaType === MediaType.DOCKER_MANIFEST;
}

/** An image config (OCI or Docker), as opposed to an artifact's config. */
export function isImageConfigMediaType(mediaType: string): boolean {
  return mediaType === MediaType.OCI_CONFIG || mediaType === MediaType.DOCKER_CONFIG;
}

const LAYER_COMPRESSION: ReadonlyMap<string, LayerCompression> = new Map<string, LayerCompression>([
  [MediaType.OCI_LAYER_TAR, 'none'],
  [MediaType.OCI_LAYER_GZIP, 'gzip'],
  [MediaType.OCI_LAYER_ZSTD, 'zstd'],
  [MediaType.OCI_LAYER_NONDIST_TAR, 'none'],
  [MediaType.OCI_LAYER_NONDIST_GZIP, 'gzip'],
  [MediaType.OCI_LAYER_NONDIST_ZSTD, 'zstd'],
  [MediaType.DOCKER_LAYER_GZIP, 'gzip'],
  [MediaType.DOCKER_LAYER_TAR, 'none'],
  [MediaType.DOCKER_LAYER_FOREIGN_GZIP, 'gzip'],
]);

/** The compression a layer media type declares, or undefined when it is not a known layer type. */
export function layerCompression(mediaType: string): LayerCompression | undefined {
  return LAYER_COMPRESSION.get(mediaType);
}

/** The OCI layer media type for a compression. */
export function ociLayerMediaType(compression: LayerCompression): string {
  switch (compression) {
    case 'gzip':
      return MediaType.OCI_LAYER_GZIP;
    case 'zstd':
      return MediaType.OCI_LAYER_ZSTD;
    case 'none':
      return MediaType.OCI_LAYER_TAR;
  }
}
