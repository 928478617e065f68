import { fail, type Home } from '../core/index.ts';
import { cosignTagSubject } from './cosign-tags.ts';
import { imageSourceFrom } from './image-source.ts';
import { LayoutStore } from './layout.ts';
import { DEFAULT_REGISTRY } from './ref.ts';
import { layoutEndpoint, type RegistryRef } from './transports.ts';
import type { BlobStore, Descriptor, ImageRef } from './types.ts';

/** The label an Ironclad build puts on each image config naming its variant (runtime, dev, ...). */
const VARIANT_LABEL = 'dev.ironclad.variant';

/** One platform of a stored image: what a pull of that platform alone would fetch. */
export interface StorePlatformImage {
  readonly platform: string;
  readonly manifest: Descriptor['digest'];
  /** Compressed bytes of this platform's manifest, config and layers. */
  readonly size: number;
  /** The definition's variant an Ironclad build recorded; absent on other images. */
  readonly variant?: string;
  readonly created?: string;
}

/** One tag of the local store, with what `ironclad images` shows. */
export interface StoreImage {
  readonly name: string;
  readonly tag: string;
  readonly descriptor: Descriptor;
  /** Compressed bytes of every distinct blob the tag reaches (all platforms, shared blobs once), manifests included. */
  readonly size: number;
  readonly platforms: readonly StorePlatformImage[];
}

/** Lists the local store's tags, sorted by name then tag. A missing store is an empty list. */
export async function listStoreImages(home: Home): Promise<StoreImage[]> {
  const store = await LayoutStore.open(home.store, { create: true });
  const blobs = layoutEndpoint(store.dir).store;
  const out: StoreImage[] = [];
  for (const t of await store.listTags()) {
    // cosign's signature and attestation tags are kept beside the images they sign, not images themselves.
    if (cosignTagSubject(t.name) !== undefined) continue;
    const [name = t.name, tag = 'latest'] = splitStoreTag(t.name);
    out.push({ name, tag, descriptor: t.descriptor, ...(await summarize(blobs, t.descriptor)) });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.tag.localeCompare(b.tag));
}

/**
 * Removes tags (`name:tag`, or `name` for every tag of that name) and then garbage-collects blobs nothing
 * references any more, referrers of removed images included. NOT_FOUND when a name matches no tag.
 */
export async function removeStoreImages(
  home: Home,
  refs: readonly string[],
): Promise<{ removed: string[]; freedBytes: number }> {
  const store = await LayoutStore.open(home.store, { create: true });
  const tags = (await store.listTags()).map((t) => t.name);
  const removed: string[] = [];
  for (const ref of refs) {
    const matches = ref.includes(':') ? tags.filter((t) => t === ref) : tags.filter((t) => splitStoreTag(t)[0] === ref);
    if (matches.length === 0)
      fail('NOT_FOUND', `no image ${ref} in the local store`, { hint: 'list them with: ironclad images' });
    for (const m of matches) if (await store.untag(m)) removed.push(m);
  }
  const gc = await store.gc();
  return { removed, freedBytes: gc.freedBytes };
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

/** `name:tag` of the store as `[name, tag]`; a name without a colon is `[name, 'latest']`. */
export function splitStoreTag(name: string): [string, string] {
  const i = name.lastIndexOf(':');
  return i < 0 ? [name, 'latest'] : [name.slice(0, i), name.slice(i + 1)];
}

/** Sizes (per platform and in all), platforms, variants and creation times of a tagged image, read verified. */
async function summarize(
  store: BlobStore,
  top: Descriptor,
): Promise<{ size: number; platforms: StorePlatformImage[] }> {
  const seen = new Map<string, number>([[top.digest, top.size]]);
  const platforms: StorePlatformImage[] = [];
  for (const m of await imageSourceFrom(store, top.digest).manifests()) {
    seen.set(m.digest, m.size);
    const image = await imageSourceFrom(store, m.digest).resolve();
    const manifest = image.manifest();
    const blobs = [manifest.config, ...manifest.layers];
    for (const d of blobs) seen.set(d.digest, d.size);
    const config = await image.config();
    const variant = config.config?.Labels?.[VARIANT_LABEL];
    platforms.push({
      platform: `${config.os}/${config.architecture}${config.variant ? `/${config.variant}` : ''}`,
      manifest: m.digest,
      size: blobs.reduce((n, d) => n + d.size, m.size),
      ...(variant !== undefined && { variant }),
      ...(config.created !== undefined && { created: config.created }),
    });
  }
  return { size: [...seen.values()].reduce((a, b) => a + b, 0), platforms };
}
