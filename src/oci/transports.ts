import { resolve } from 'node:path';
import { fail, type Home, isIroncladError } from '../core/index.ts';
import { dockerArchiveBlobStore } from './docker-archive.ts';
import { type EndpointCore, endpointFrom, type ImageEndpoint } from './endpoint.ts';
import { layoutCore } from './layout-endpoint.ts';
import type { ReferrerScheme } from './referrers.ts';
import type { Digest, ImageRef, Platform } from './types.ts';

/** A registry reference, the one kind whose transport lives outside this module. */
export type RegistryRef = Extract<ImageRef, { kind: 'registry' }>;

export interface OpenEndpointOptions {
  /** $IRONCLAD_HOME; the local store is the OCI layout at `home.store`. Only store references need it. */
  readonly home?: Home;
  /** Directory that relative layout and archive paths are taken from; default: the process's. */
  readonly cwd?: string;
  /** The registry transport, supplied by the registry module; without it registry references are refused. */
  readonly registry?: (ref: RegistryRef) => EndpointCore;
  /** Preferred platform when a caller resolves without one (the CLI passes the host's). */
  readonly platform?: Platform;
  /** How referrers are stored and found; default both forms (referrerSchemes('both')). */
  readonly referrerSchemes?: readonly ReferrerScheme[];
}

/** The local store's directory. */
function storeOf(o: OpenEndpointOptions): string {
  if (o.home === undefined) fail('INTERNAL', 'opening the local store without knowing the home');
  return o.home.store;
}

/** Tag name of a store image in the store layout's index.json: `NAME:TAG`. */
export function storeTagName(name: string, tag = 'latest'): string {
  return `${name}:${tag}`;
}

/** What each kind of reference needs: how it is written, what tag a copy of it takes, and its core. */
interface Transport<K extends ImageRef['kind']> {
  format(ref: Extract<ImageRef, { kind: K }>): string;
  /** The tag the reference itself names; none for a digest-only reference or an archive (which has no tags). */
  namedTag(ref: Extract<ImageRef, { kind: K }>): string | undefined;
  /** The tag a copy of this image is named by: its own, none for a digest, `latest` for an unnamed image. */
  sourceTag(ref: Extract<ImageRef, { kind: K }>): string | undefined;
  /** Whether an untagged image here is addressed by its digest (a registry, the store), not by the place. */
  readonly untaggedByDigest: boolean;
  /** Whether images can be written into it on this machine (a layout, the store): where a pull may put them. */
  readonly localDestination: boolean;
  /**
   * Whether a multi-platform image written here also gets a `TAG-ARCH` tag per platform manifest
   * (platform-tags.ts): an OCI layout is read by tools taking one manifest per tag (umoci); a registry or the store
   * is read by clients that choose a platform from the index.
   */
  readonly platformTags: boolean;
  core(ref: Extract<ImageRef, { kind: K }>, o: OpenEndpointOptions): EndpointCore;
}

function transport<K extends ImageRef['kind']>(kind: K, t: Transport<K>): readonly [K, Transport<K>] {
  return [kind, t];
}

const suffix = (tag?: string, digest?: Digest) =>
  `${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
const path = (p: string, o: OpenEndpointOptions) => (o.cwd === undefined ? p : resolve(o.cwd, p));

const ENTRIES = [
  transport('oci-layout', {
    format: (r) => `oci:${r.dir}${r.tag !== undefined ? `:${r.tag}` : ''}`,
    namedTag: (r) => r.tag,
    // `oci:DIR` holds one unnamed image, which is named `latest` like docker does.
    sourceTag: (r) => r.tag ?? 'latest',
    untaggedByDigest: false,
    localDestination: true,
    platformTags: true,
    core: (r, o) => layoutCore(path(r.dir, o), r.tag ?? ''),
  }),
  transport('docker-archive', {
    format: (r) => `docker-archive:${r.file}`,
    namedTag: () => undefined,
    sourceTag: () => 'latest',
    untaggedByDigest: false,
    localDestination: false,
    platformTags: false,
    core: (r, o) => ({ store: dockerArchiveBlobStore(path(r.file, o)), reference: '' }),
  }),
  transport('registry', {
    format: (r) => `docker://${r.host}/${r.repo}${suffix(r.tag, r.digest)}`,
    namedTag: (r) => r.tag,
    sourceTag: (r) => r.tag ?? (r.digest === undefined ? 'latest' : undefined),
    untaggedByDigest: true,
    localDestination: false,
    platformTags: false,
    core: (r, o) =>
      o.registry?.(r) ?? fail('USAGE', `registry references are not available here: ${formatImageRef(r)}`),
  }),
  transport('store', {
    format: (r) => `${r.name}${suffix(r.tag, r.digest)}`,
    namedTag: (r) => r.tag,
    sourceTag: (r) => r.tag ?? (r.digest === undefined ? 'latest' : undefined),
    untaggedByDigest: true,
    localDestination: true,
    platformTags: false,
    core: (r, o) =>
      storeCore(
        layoutCore(storeOf(o), r.digest ?? storeTagName(r.name, r.tag), (tag) => storeTagName(r.name, tag)),
        `${r.name}${suffix(r.tag ?? (r.digest === undefined ? 'latest' : undefined), r.digest)}`,
      ),
  }),
] as const;

/**
 * The local store's core: an image it does not hold is named as the user typed it, "in the local store", not as
 * a tag missing from a layout directory (or a layout that does not exist yet, before the first build or pull).
 * Only the reference itself is reworded; a missing blob under it is the store's damage and keeps its message.
 */
function storeCore(core: EndpointCore, shown: string): EndpointCore {
  const { store } = core;
  return {
    ...core,
    store: {
      openBlob: (desc) => store.openBlob(desc),
      ...(store.listReferrers !== undefined && { listReferrers: store.listReferrers.bind(store) }),
      readManifest: (ref) =>
        store.readManifest(ref).catch((err: unknown) => {
          if (ref !== core.reference || !isIroncladError(err, 'NOT_FOUND')) throw err;
          return fail('NOT_FOUND', `no image ${shown} in the local store`, {
            hint: 'list them with: ironclad images; build or pull it first',
            cause: err,
          });
        }),
    },
  };
}

// A new ImageRef kind fails to compile here until it has a transport (STYLE.md rule 11).
type Missing = Exclude<ImageRef['kind'], (typeof ENTRIES)[number][0]>;
const exhaustive: [Missing] extends [never] ? true : Missing = true;
void exhaustive;

/** The one transport table (STYLE.md rule 12): every decision that depends on the kind of reference is here. */
const TRANSPORTS: ReadonlyMap<ImageRef['kind'], Transport<ImageRef['kind']>> = new Map(
  ENTRIES as readonly (readonly [ImageRef['kind'], Transport<ImageRef['kind']>])[],
);

function transportOf(ref: ImageRef): Transport<ImageRef['kind']> {
  return TRANSPORTS.get(ref.kind) ?? fail('USAGE', `unknown image transport ${JSON.stringify(ref.kind)}`);
}

/** The canonical text of a reference; `parseImageRef(formatImageRef(r))` gives `r` back. */
export function formatImageRef(ref: ImageRef): string {
  return transportOf(ref).format(ref as never);
}

/**
 * The tag a source carries for naming its copy: its own tag, or none when it is addressed by digest only.
 * `oci:DIR` and `docker-archive:FILE` hold one unnamed image, which is named `latest` like docker does.
 */
export function sourceTag(ref: ImageRef): string | undefined {
  return transportOf(ref).sourceTag(ref as never);
}

/** The tag the reference names itself (`:TAG`); undefined for a digest-only reference and a docker-archive. */
export function namedTag(ref: ImageRef): string | undefined {
  return transportOf(ref).namedTag(ref as never);
}

/** Whether `ref` is a registry reference, the one kind whose transport the registry module supplies. */
export function isRegistryRef(ref: ImageRef): ref is RegistryRef {
  return ref.kind === 'registry';
}

/** Whether `ref` names an OCI layout directory (`oci:DIR[:TAG]`). */
export function isLayoutRef(ref: ImageRef): ref is Extract<ImageRef, { kind: 'oci-layout' }> {
  return ref.kind === 'oci-layout';
}

/** Whether images can be written into `ref` on this machine: an OCI layout or the store, not a registry or an archive. */
export function isLocalDestination(ref: ImageRef): boolean {
  return transportOf(ref).localDestination;
}

/**
 * The endpoint of an OCI layout directory that Ironclad writes into (a build's output or the store's layout),
 * addressed by directory only; created at the first write.
 */
export function layoutEndpoint(dir: string, opts: Pick<OpenEndpointOptions, 'referrerSchemes'> = {}): ImageEndpoint {
  return openEndpoint({ kind: 'oci-layout', dir }, opts);
}

/** Whether a multi-platform image written to `ref` also gets a `TAG-ARCH` tag per platform (an OCI layout). */
export function writesPlatformTags(ref: ImageRef): boolean {
  return transportOf(ref).platformTags;
}

/** Whether an untagged copy at `ref` is addressed by its digest (registry, store) or by the place (a layout). */
export function untaggedByDigest(ref: ImageRef): boolean {
  return transportOf(ref).untaggedByDigest;
}

/**
 * Opens the endpoint of a parsed reference: its image (read side), the place to write images and referrers
 * (absent for docker-archive), through the transport table. Lazy: a missing layout or archive is reported by the
 * first read (NOT_FOUND); a layout or the store is created by the first write.
 */
export function openEndpoint(ref: ImageRef, opts: OpenEndpointOptions): ImageEndpoint {
  const core = transportOf(ref).core(ref as never, opts);
  return endpointFrom(core, {
    display: formatImageRef(ref),
    ...(opts.platform !== undefined && { platform: opts.platform }),
    ...(opts.referrerSchemes !== undefined && { referrerSchemes: opts.referrerSchemes }),
  });
}
