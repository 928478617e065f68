import { join } from 'node:path';
import { assertNever, fail } from '../core/index.ts';
import { dockerArchiveBlobStore } from './docker-archive.ts';
import { imageSourceFrom } from './image-source.ts';
import { layoutBlobStore } from './layout-blob-store.ts';
import { formatImageRef } from './ref.ts';
import type { BlobStore, ImageRef, ImageSource, Platform } from './types.ts';

export interface OpenSourceOptions {
  /** $IRONCLAD_HOME; the local store is the OCI layout at `<home>/store`. */
  readonly home: string;
  /** The registry transport, supplied by the registry module; without it registry references are refused. */
  readonly registry?: (ref: Extract<ImageRef, { kind: 'registry' }>) => BlobStore;
  /** Preferred platform when a caller resolves without one (the CLI passes the host's). */
  readonly platform?: Platform;
}

/** The local image store's directory under a home. */
export function storeDir(home: string): string {
  return join(home, 'store');
}

/** Tag name of a store image in the store layout's index.json: `NAME:TAG`. */
export function storeTagName(name: string, tag = 'latest'): string {
  return `${name}:${tag}`;
}

type Transport = (ref: ImageRef, o: OpenSourceOptions) => { store: BlobStore; reference: string };

/** One entry per transport (STYLE.md rule 12); a new ImageRef kind fails to compile until it is listed. */
const transports: { readonly [K in ImageRef['kind']]: Transport } = {
  'oci-layout': (ref) => {
    const r = ref as Extract<ImageRef, { kind: 'oci-layout' }>;
    return { store: layoutBlobStore(r.dir), reference: r.tag ?? '' };
  },
  'docker-archive': (ref) => {
    const r = ref as Extract<ImageRef, { kind: 'docker-archive' }>;
    return { store: dockerArchiveBlobStore(r.file), reference: '' };
  },
  registry: (ref, o) => {
    const r = ref as Extract<ImageRef, { kind: 'registry' }>;
    if (o.registry === undefined) fail('USAGE', `registry references are not available here: ${formatImageRef(r)}`);
    return { store: o.registry(r), reference: r.digest ?? r.tag ?? 'latest' };
  },
  store: (ref, o) => {
    const r = ref as Extract<ImageRef, { kind: 'store' }>;
    return { store: layoutBlobStore(storeDir(o.home)), reference: r.digest ?? storeTagName(r.name, r.tag) };
  },
};

/**
 * Opens an ImageSource for a parsed reference. Lazy: nothing is read until the source is used, so a missing
 * layout or archive is reported by the first `resolve()`/`top()` call (NOT_FOUND).
 */
export function openImageSource(ref: ImageRef, opts: OpenSourceOptions): ImageSource {
  const transport = transports[ref.kind];
  if (transport === undefined) return assertNever(ref as never);
  const { store, reference } = transport(ref, opts);
  return imageSourceFrom(store, reference, {
    display: formatImageRef(ref),
    ...(opts.platform !== undefined && { platform: opts.platform }),
  });
}
