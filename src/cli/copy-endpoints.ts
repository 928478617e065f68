import { Readable } from 'node:stream';
import { assertNever, fail } from '../core/index.ts';
import {
  type BlobStore,
  DEFAULT_REGISTRY,
  dockerArchiveBlobStore,
  formatImageRef,
  type ImageRef,
  LayoutStore,
  layoutBlobStore,
  storeDir,
  storeTagName,
} from '../oci/index.ts';
import { type BlobSink, type CopySource, layoutSink, registryBlobStore, registrySink } from '../registry/index.ts';
import { type CliIO, ironcladHome } from './io.ts';
import type { RegistryAccess } from './registry-transport.ts';

/**
 * The two ends of push, pull, copy: any image reference as a source (BlobStore + reference), and a registry
 * repository, an OCI layout or the local store as a destination (BlobSink + tag). What each verb accepts on
 * which side is checked by the verb; this file only maps references to transports.
 */

export type RegistryRef = Extract<ImageRef, { kind: 'registry' }>;

export interface CopyEnd<T> {
  readonly value: T;
  /** As the user would type it, for messages and reports. */
  readonly display: string;
}

/**
 * The tag a source carries for naming its copy: its own tag, or none when it is addressed by digest only.
 * `oci:DIR` and `docker-archive:FILE` hold one unnamed image, which is named `latest` like docker does.
 */
export function sourceTag(ref: ImageRef): string | undefined {
  switch (ref.kind) {
    case 'registry':
    case 'store':
      return ref.tag ?? (ref.digest === undefined ? 'latest' : undefined);
    case 'oci-layout':
      return ref.tag ?? 'latest';
    case 'docker-archive':
      return 'latest';
    default:
      return assertNever(ref);
  }
}

/**
 * Serves a blob from its descriptor's embedded `data` (OCI image spec, descriptor "data" property) before
 * asking the store. Layouts may lack such blobs (the image-layout spec lets referenced blobs be missing),
 * typically the empty `{}` config of artifact manifests, yet a registry needs them uploaded. The copy
 * verifies the bytes against the descriptor like any other blob.
 */
function withEmbeddedData(store: BlobStore): BlobStore {
  return {
    readManifest: (ref) => store.readManifest(ref),
    openBlob: async (desc) =>
      desc.data === undefined ? store.openBlob(desc) : Readable.from([Buffer.from(desc.data, 'base64')]),
    ...(store.listReferrers !== undefined && { listReferrers: store.listReferrers.bind(store) }),
  };
}

/** Opens `ref` for reading; lazy for files, resolves registry credentials now. */
export async function copySource(ref: ImageRef, io: CliIO, access: RegistryAccess): Promise<CopyEnd<CopySource>> {
  const display = formatImageRef(ref);
  switch (ref.kind) {
    case 'registry': {
      const client = await access.client(ref.host);
      return {
        value: { store: registryBlobStore(client, ref.repo), ref: ref.digest ?? ref.tag ?? 'latest' },
        display,
      };
    }
    case 'oci-layout':
      return { value: { store: withEmbeddedData(layoutBlobStore(ref.dir)), ref: ref.tag ?? '' }, display };
    case 'docker-archive':
      return { value: { store: dockerArchiveBlobStore(ref.file), ref: '' }, display };
    case 'store':
      return {
        value: {
          store: withEmbeddedData(layoutBlobStore(storeDir(ironcladHome(io)))),
          ref: ref.digest ?? storeTagName(ref.name, ref.tag),
        },
        display,
      };
    default:
      return assertNever(ref);
  }
}

export interface Destination {
  readonly sink: BlobSink;
  /** Tag of the copied image at the destination; undefined stores it by digest only. */
  readonly tag?: string;
}

/**
 * Opens `ref` for writing (creating an OCI layout or the store when missing). The destination's own tag wins;
 * without one the copy takes `fallbackTag`. A digest names content, not a place, so it is refused here.
 * @throws IroncladError USAGE for a docker-archive or a digest destination.
 */
export async function copyDestination(
  ref: ImageRef,
  fallbackTag: string | undefined,
  io: CliIO,
  access: RegistryAccess,
): Promise<CopyEnd<Destination>> {
  if (ref.kind !== 'docker-archive' && ref.kind !== 'oci-layout' && ref.digest !== undefined) {
    fail('USAGE', `${formatImageRef(ref)}: a destination is named by a tag, not a digest`, {
      hint: 'drop the @sha256:… part; the digest follows from the content and is printed after the copy',
    });
  }
  const tag = ref.kind === 'docker-archive' ? undefined : (ref.tag ?? fallbackTag);
  const withTag = (sink: BlobSink, t: string | undefined): Destination => ({
    sink,
    ...(t !== undefined && { tag: t }),
  });
  switch (ref.kind) {
    case 'registry': {
      const client = await access.client(ref.host);
      const display = formatImageRef({ kind: 'registry', host: ref.host, repo: ref.repo, ...tagOf(tag) });
      return { value: withTag(registrySink(client, ref.repo), tag), display };
    }
    case 'oci-layout': {
      const store = await LayoutStore.open(ref.dir, { create: true });
      return { value: withTag(layoutSink(store), tag), display: formatImageRef({ ...ref, ...tagOf(tag) }) };
    }
    case 'store': {
      const store = await LayoutStore.open(storeDir(ironcladHome(io)), { create: true });
      const name = tag === undefined ? undefined : storeTagName(ref.name, tag);
      return { value: withTag(layoutSink(store), name), display: name ?? ref.name };
    }
    case 'docker-archive':
      return fail('USAGE', `${formatImageRef(ref)}: writing docker archives is not supported`, {
        hint: 'copy into an OCI layout (oci:DIR[:TAG]) or a registry instead',
      });
    default:
      return assertNever(ref);
  }
}

function tagOf(tag: string | undefined): { tag?: string } {
  return tag === undefined ? {} : { tag };
}

/**
 * The local store name a pulled image gets: the repository path, without Docker Hub's implied `library/`
 * (docker://127.0.0.1:5000/team/python:3.11 → team/python:3.11, docker.io/library/debian:12 → debian:12).
 * The registry host is left out because a name with a host is a registry reference, never a store lookup.
 */
export function storeNameFor(ref: RegistryRef): Extract<ImageRef, { kind: 'store' }> {
  const name = ref.host === DEFAULT_REGISTRY ? ref.repo.replace(/^library\//, '') : ref.repo;
  return { kind: 'store', name };
}

/** USAGE unless `ref` is a registry reference; `role` says which argument, for the message. */
export function requireRegistry(ref: ImageRef, role: string): RegistryRef {
  if (ref.kind !== 'registry') {
    fail('USAGE', `${role} must be a registry reference, not ${formatImageRef(ref)}`, {
      hint: 'write docker://HOST/REPO[:TAG] (or HOST/REPO[:TAG]); ironclad copy copies between any two places',
    });
  }
  return ref;
}
