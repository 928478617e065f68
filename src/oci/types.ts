import type { Readable } from 'node:stream';
import type { ImageManifest } from './manifest.ts';

/** `sha256:<64 hex>`; produced only by parseDigest or digestOf (STYLE.md rule 16). */
export type Digest = string & { readonly __brand: 'Digest' };

/** OCI image spec, descriptor.md. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: Platform;
  readonly artifactType?: string;
  /** Mirrors for the content (descriptor.md); kept when read, never followed. */
  readonly urls?: readonly string[];
  /** Embedded base64 content (descriptor.md, OCI 1.1). */
  readonly data?: string;
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
}

/** OCI image config (config.md), the parts we read and write. */
export interface ImageConfig {
  readonly created?: string;
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly config?: {
    readonly User?: string;
    readonly Env?: readonly string[];
    readonly Entrypoint?: readonly string[];
    readonly Cmd?: readonly string[];
    readonly WorkingDir?: string;
    readonly Labels?: Readonly<Record<string, string>>;
    readonly ExposedPorts?: Readonly<Record<string, object>>;
    readonly Volumes?: Readonly<Record<string, object>>;
    readonly StopSignal?: string;
  };
  readonly rootfs: { readonly type: 'layers'; readonly diff_ids: readonly Digest[] };
  readonly history?: readonly {
    readonly created?: string;
    readonly created_by?: string;
    readonly comment?: string;
    readonly empty_layer?: boolean;
  }[];
}

/** One entry of a deterministic tar layer. Paths are relative, without a leading `./` or `/`. */
export type TarEntry =
  | {
      readonly type: 'file';
      readonly path: string;
      readonly mode: number;
      readonly uid: number;
      readonly gid: number;
      readonly mtime: number;
      readonly data: Uint8Array;
    }
  | {
      readonly type: 'dir';
      readonly path: string;
      readonly mode: number;
      readonly uid: number;
      readonly gid: number;
      readonly mtime: number;
    }
  | {
      readonly type: 'symlink';
      readonly path: string;
      readonly mode: number;
      readonly uid: number;
      readonly gid: number;
      readonly mtime: number;
      readonly target: string;
    }
  | {
      readonly type: 'hardlink';
      readonly path: string;
      readonly mode: number;
      readonly uid: number;
      readonly gid: number;
      readonly mtime: number;
      readonly target: string;
    };

/** What a transport (layout dir, registry, docker-archive) provides; everything else is derived. */
export interface BlobStore {
  /** Resolves a tag or digest reference to the raw manifest/index bytes. */
  readManifest(ref: string): Promise<{ bytes: Uint8Array; mediaType: string }>;
  /** Raw blob bytes; no verification here (imageSourceFrom wraps it). */
  openBlob(d: Descriptor): Promise<Readable>;
  listReferrers?(subject: Digest): Promise<Descriptor[]>;
}

export interface ImageSource {
  /** As typed by the user, for messages. */
  readonly ref: string;
  /** Resolves to one platform's image; without a platform, the host platform (or the only one). */
  resolve(platform?: Platform): Promise<ResolvedImage>;
  /** The top-level descriptor (index or manifest) the reference points at, with its raw bytes. */
  top(): Promise<{ desc: Descriptor; bytes: Uint8Array }>;
  /**
   * The image manifests the reference covers, as the top-level index lists them (with platforms), or the top
   * manifest itself. Attestation manifests of other tools are included: they can be signed like any manifest.
   */
  manifests(): Promise<readonly Descriptor[]>;
  /** Platforms present under the top-level index (one entry for a single manifest). */
  platforms(): Promise<readonly Platform[]>;
  referrers(subject: Digest): Promise<Descriptor[]>;
  /** A verified stream of any blob reachable from this source (digest and size checked at EOF). */
  openBlob(d: Descriptor): Promise<Readable>;
}

export interface ResolvedImage {
  readonly digest: Digest;
  readonly descriptor: Descriptor;
  /** The exact bytes the digest covers. */
  manifestBytes(): Uint8Array;
  /** The parsed manifest (OCI or Docker schema 2). */
  manifest(): ImageManifest;
  /** Fetched on first call, then cached. */
  config(): Promise<ImageConfig>;
  configBytes(): Promise<Uint8Array>;
  /** Descriptors only, base layer first. */
  layers(): readonly LayerHandle[];
}

export interface LayerHandle {
  readonly desc: Descriptor;
  /** A fresh, digest-checked stream of the compressed bytes per call; the caller consumes or destroys it. */
  open(): Promise<Readable>;
  /** A fresh stream of the uncompressed tar. */
  openUncompressed(): Promise<Readable>;
}

/** Image references in skopeo's transport syntax (STYLE.md rule 11). */
export type ImageRef =
  | { readonly kind: 'oci-layout'; readonly dir: string; readonly tag?: string }
  | { readonly kind: 'docker-archive'; readonly file: string }
  | {
      readonly kind: 'registry';
      readonly host: string;
      readonly repo: string;
      readonly tag?: string;
      readonly digest?: Digest;
    }
  | { readonly kind: 'store'; readonly name: string; readonly tag?: string; readonly digest?: Digest };
