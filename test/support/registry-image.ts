import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  buildImageConfig,
  buildIndex,
  buildManifest,
  type Descriptor,
  digestOf,
  LayoutStore,
  MediaType,
} from '../../src/oci/index.ts';
import { type BuiltBlob, buildArtifactManifest } from '../../src/oci/manifest-build.ts';

/** Deterministic pseudo-random bytes (so a test image is the same in every run, yet incompressible). */
export function noise(seed: string, size: number): Uint8Array {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let off = 0; off < size; off += block.length) {
    block.copy(out, off);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

async function blob(store: LayoutStore, bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
  const { digest, size } = await store.putBlob(bytes);
  return { mediaType, digest, size };
}

export interface TestImage {
  readonly store: LayoutStore;
  readonly index: BuiltBlob;
  readonly tag: string;
}

/**
 * A two-platform image (linux/amd64, linux/arm64) in an OCI layout, tagged `tag`: each platform has a config
 * and two gzip layers, the first layer shared between platforms. `layerSize` sets the second layer's size.
 */
export async function buildTestImage(dir: string, seed: string, tag = 'v1', layerSize = 4096): Promise<TestImage> {
  const store = await LayoutStore.open(dir, { create: true });
  const shared = await blob(store, gzipSync(noise(`${seed}-shared`, 2048), { level: 1 }), MediaType.OCI_LAYER_GZIP);
  const manifests: Descriptor[] = [];
  for (const architecture of ['amd64', 'arm64']) {
    const own = await blob(
      store,
      gzipSync(noise(`${seed}-${architecture}`, layerSize), { level: 1 }),
      MediaType.OCI_LAYER_GZIP,
    );
    const config = buildImageConfig({
      architecture,
      os: 'linux',
      config: { User: '65532:65532', Entrypoint: ['/bin/true'] },
      rootfs: { type: 'layers', diff_ids: [digestOf(`${seed}-a`), digestOf(`${seed}-b-${architecture}`)] },
    });
    const configDesc = await blob(store, config.bytes, config.descriptor.mediaType);
    const manifest = buildManifest({ config: configDesc, layers: [shared, own] });
    await store.putBlob(manifest.bytes);
    manifests.push({ ...manifest.descriptor, platform: { os: 'linux', architecture } });
  }
  const index = buildIndex({ manifests });
  await store.putBlob(index.bytes);
  await store.tag(tag, index.descriptor);
  return { store, index, tag };
}

/** An SBOM-like artifact manifest whose subject is `subject`, stored in the layout as a referrer. */
export async function addTestReferrer(
  store: LayoutStore,
  subject: Descriptor,
  artifactType: string,
  content: string,
): Promise<BuiltBlob> {
  const payload = await blob(store, new TextEncoder().encode(content), 'application/json');
  await store.putBlob(new TextEncoder().encode('{}'));
  const artifact = buildArtifactManifest({ artifactType, subject, blobs: [payload] });
  await store.putBlob(artifact.bytes);
  await store.addManifest(artifact.descriptor);
  return artifact;
}
