import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  buildImageConfig,
  buildIndex,
  buildManifest,
  type Descriptor,
  type ImageConfig,
  LayoutStore,
  type TarEntry,
  writeLayer,
} from '../../src/oci/index.ts';

const MTIME = 1700000000;

/**
 * Copies host paths into layer entries exactly as they are on the host, symlinks included (so `/bin -> usr/bin`
 * and the dynamic loader's links come along), with every ancestor directory. Real binaries make real images.
 */
export function mirrorHostPaths(paths: readonly string[]): TarEntry[] {
  const out = new Map<string, TarEntry>();
  const visit = (abs: string, depth: number): void => {
    if (depth > 20) throw new Error(`symlink loop at ${abs}`);
    const parts = abs.split('/').filter(Boolean);
    let cur = '';
    for (let i = 0; i < parts.length; i++) {
      cur = `${cur}/${parts[i]}`;
      const rel = cur.slice(1);
      const st = lstatSync(cur);
      if (st.isSymbolicLink()) {
        const target = readlinkSync(cur);
        out.set(rel, { type: 'symlink', path: rel, mode: 0o777, uid: 0, gid: 0, mtime: MTIME, target });
        visit([resolve(dirname(cur), target), ...parts.slice(i + 1)].join('/'), depth + 1);
        return;
      }
      if (st.isDirectory()) out.set(rel, { type: 'dir', path: rel, mode: 0o755, uid: 0, gid: 0, mtime: MTIME });
      else {
        const data = readFileSync(cur);
        out.set(rel, { type: 'file', path: rel, mode: st.mode & 0o7777, uid: 0, gid: 0, mtime: MTIME, data });
      }
    }
  };
  for (const p of paths) visit(p, 0);
  return [...out.values()];
}

/** A host binary plus the shared libraries `ldd` lists for it (and the dynamic loader). */
export function withLibraries(binaries: readonly string[]): string[] {
  const all = new Set<string>();
  for (const b of binaries) {
    all.add(b);
    const ldd = execFileSync('ldd', [b], { encoding: 'utf8' });
    for (const m of ldd.matchAll(/(\/[^\s]+) \(0x/g)) all.add(m[1]!);
  }
  return [...all];
}

export interface RunnableImageOptions {
  readonly binaries?: readonly string[];
  readonly extra?: readonly TarEntry[];
  readonly config?: ImageConfig['config'];
  readonly tag?: string;
  /** Wrap the manifest in an index with this platform (as the builder does). */
  readonly index?: boolean;
}

/**
 * Writes an amd64 image whose layer holds host binaries (default: echo, true, id, sleep, cat) and their
 * libraries, then `extra` in a second layer; tags it in an OCI layout.
 */
export async function writeRunnableImage(
  layoutDir: string,
  o: RunnableImageOptions = {},
): Promise<{ store: LayoutStore; top: Descriptor }> {
  const store = await LayoutStore.open(layoutDir, { create: true });
  const bins = o.binaries ?? ['/usr/bin/echo', '/usr/bin/true', '/usr/bin/id', '/usr/bin/sleep', '/usr/bin/cat'];
  const layers = [mirrorHostPaths(withLibraries(bins)), ...(o.extra === undefined ? [] : [o.extra])];
  const descs: Descriptor[] = [];
  const diffIds = [];
  for (const entries of layers) {
    const l = await writeLayer(entries, { compression: 'gzip', level: 1 });
    await store.putBlob(l.bytes!, l.descriptor);
    descs.push(l.descriptor);
    diffIds.push(l.diffId);
  }
  const config = buildImageConfig({
    created: '2023-11-14T22:13:20Z',
    architecture: 'amd64',
    os: 'linux',
    config: o.config ?? { User: '65532:65532', Entrypoint: ['/usr/bin/echo'], Cmd: ['hello'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
  });
  await store.putBlob(config.bytes, config.descriptor);
  const manifest = buildManifest({ config: config.descriptor, layers: descs });
  await store.putBlob(manifest.bytes, manifest.descriptor);
  let top = manifest.descriptor;
  if (o.index === true) {
    const index = buildIndex({
      manifests: [{ ...manifest.descriptor, platform: { os: 'linux', architecture: 'amd64' } }],
    });
    await store.putBlob(index.bytes, index.descriptor);
    top = index.descriptor;
  }
  await store.tag(o.tag ?? 'latest', top);
  return { store, top };
}
