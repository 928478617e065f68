import {
  buildImageConfig,
  buildManifest,
  type Descriptor,
  type Digest,
  LayoutStore,
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
