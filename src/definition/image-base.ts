import type { LockedPlatform } from './lockfile-types.ts';

/*
 * A customization of a published image (docs/customization.md, `extends: {image: REF@sha256:..., key: FILE}`).
 * Reading the image and checking its signature are stages (attest, registry); the loader only receives what they
 * established, through an injected resolver, so this format module stays free of I/O beyond the definition files.
 */

/**
 * `extends:` naming a published image: the reference as written and the public key (absolute path) it must verify
 * with, when the definition names one (the command may supply its own).
 */
export interface ImageBaseRef {
  readonly image: string;
  readonly key?: string;
}

/** One platform of a published base image, as its verified provenance describes it. */
export interface ImageBasePlatform {
  /** The platform manifest digest (`sha256:<hex>`) the base's layers come from. */
  readonly manifest: string;
  /** The lock entry the base was built from, read back from its provenance. */
  readonly locked: LockedPlatform;
  /** Its SOURCE_DATE_EPOCH. */
  readonly epoch: number;
}

/** A published image verified against its key: everything needed to build on it as on a local base. */
export interface ImageBase {
  /** The reference as written in `extends:` (with its digest). */
  readonly image: string;
  /** The reference without its digest (`HOST/REPO:TAG`), for the `org.opencontainers.image.base.name` label. */
  readonly name: string;
  /** The pinned digest the reference names (`sha256:<hex>`): an index or a manifest. */
  readonly digest: string;
  /** The base's definition document, as recorded in its signed provenance. */
  readonly document: Readonly<Record<string, unknown>>;
  /** The base definition's path and digest (`sha256:<hex>`), as its provenance records them. */
  readonly definition: { readonly path: string; readonly digest: string };
  /** The variant the image is (its provenance's `variant`). */
  readonly variant: string;
  /** The base's layer compression. */
  readonly compression: 'gzip' | 'zstd';
  /** Where the base's definition came from, when its build knew it (labels of the base image). */
  readonly source?: { readonly repository: string; readonly revision: string };
  /** Keyed by OCI platform (`linux/amd64`). */
  readonly platforms: Readonly<Record<string, ImageBasePlatform>>;
}

/** Fetches and verifies a published base image; throws (exit 3) when anything about it fails to verify. */
export type ImageBaseResolver = (ref: ImageBaseRef) => Promise<ImageBase>;
