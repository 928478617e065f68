import {
  buildImageConfig,
  buildIndex,
  buildManifest,
  type Descriptor,
  type Digest,
  LayoutStore,
  type Platform,
  type TarEntry,
  writeLayer,
} from '../../src/oci/index.ts';

/** A file entry with fixed metadata for tests. */
export function file(path: string, text: string, mode = 0o644): TarEntry {
  return { type: 'file', path, mode, uid: 0, gid: 0, mtime: 1700000000, data: new TextEncoder().encode(text) };
}

export function dir(path: string, mode = 0o755): TarEntry {
  return { type: 'dir', path, mode, uid: 0, gid: 0, mtime: 1700000000 };
}

export function symlink(path: string, target: string): TarEntry {
  return { type: 'symlink', path, mode: 0o777, uid: 0, gid: 0, mtime: 1700000000, target };
}

/** Writes a small linux/amd64 image (one gzip layer per entry list) into a layout and tags it. */
export async function writeTestImage(
  layoutDir: string,
  layers: readonly (readonly TarEntry[])[],
  tag = 'latest',
): Promise<{ store: LayoutStore; manifest: Descriptor; diffIds: Digest[]; layers: Descriptor[] }> {
  const store = await LayoutStore.open(layoutDir, { create: true });
  const descs: Descriptor[] = [];
  const diffIds: Digest[] = [];
  for (const entries of layers) {
    const l = await writeLayer(entries, { compression: 'gzip' });
    await store.putBlob(l.bytes!, l.descriptor);
    descs.push(l.descriptor);
    diffIds.push(l.diffId);
  }
  const config = buildImageConfig({
    created: '2023-11-14T22:13:20Z',
    architecture: 'amd64',
    os: 'linux',
    config: { User: '65532:65532', Entrypoint: ['/bin/true'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
  });
  await store.putBlob(config.bytes, config.descriptor);
  const manifest = buildManifest({ config: config.descriptor, layers: descs });
  await store.putBlob(manifest.bytes, manifest.descriptor);
  await store.tag(tag, manifest.descriptor);
  return { store, manifest: manifest.descriptor, diffIds, layers: descs };
}

/**
 * A multi-platform image in a layout, tagged `tag`: per platform, one real tar layer holding `etc/platform` (the
 * platform's name) and a config with that platform, so unpacking tools (umoci) can be judges; then the index.
 */
export async function writeMultiPlatformTestImage(
  layoutDir: string,
  platforms: readonly Platform[],
  tag: string,
): Promise<{ store: LayoutStore; index: Descriptor; manifests: Descriptor[] }> {
  const store = await LayoutStore.open(layoutDir, { create: true });
  const manifests: Descriptor[] = [];
  for (const platform of platforms) {
    const name = [platform.os, platform.architecture, platform.variant].filter((p) => p !== undefined).join('/');
    const layer = await writeLayer([dir('etc'), file('etc/platform', `${name}\n`)], { compression: 'gzip' });
    await store.putBlob(layer.bytes!, layer.descriptor);
    const config = buildImageConfig({
      created: '2023-11-14T22:13:20Z',
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant !== undefined && { variant: platform.variant }),
      config: { User: '65532:65532', Entrypoint: ['/bin/true'] },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    });
    await store.putBlob(config.bytes, config.descriptor);
    const manifest = buildManifest({ config: config.descriptor, layers: [layer.descriptor] });
    await store.putBlob(manifest.bytes, manifest.descriptor);
    manifests.push({ ...manifest.descriptor, platform });
  }
  const index = buildIndex({ manifests });
  await store.putBlob(index.bytes, index.descriptor);
  await store.tag(tag, index.descriptor);
  return { store, index: index.descriptor, manifests };
}
