import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, writeKeyPairFiles } from '../../src/attest/index.ts';
import { type BuildResult, buildImages } from '../../src/image/index.ts';
import { fixtureCli } from './cli-io.ts';
import { createFixtureImage, type FixtureImage } from './fixture-image.ts';
import { type RegistryServer, startRegistry } from './registry-server.ts';

/** A manifest as a registry serves it, read as plain JSON by tests that check its layout field by field. */
export interface ManifestJson {
  readonly mediaType: string;
  readonly config: LayerJson;
  readonly layers: LayerJson[];
  readonly subject?: unknown;
}
export interface LayerJson {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
}

/** The OpenVEX context of the empty VEX document the fixture writes as `vex.json`. */
export const FIXTURE_VEX_TYPE = 'https://openvex.dev/ns/v0.2.0';

/**
 * What the signing tests share: a real registry on loopback, the fixture image built into the store (unsigned),
 * key pairs `ironclad.key`/`.pub` and `other.key`/`.pub` (password `pw`) and an empty `vex.json` in the fixture
 * directory, and the CLI over them.
 */
export interface SigningFixture {
  readonly registry: RegistryServer;
  readonly fx: FixtureImage;
  readonly result: BuildResult;
  readonly cli: ReturnType<typeof fixtureCli>;
  /** `docker://<registry>/<path>` */
  ref(path: string): string;
  close(): Promise<void>;
}

export async function startSigningFixture(): Promise<SigningFixture> {
  const registry = await startRegistry();
  const fx = await createFixtureImage();
  await mkdir(join(fx.dir, 'docker'));
  const result = await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro }, fx.ctx);
  await writeKeyPairFiles(join(fx.dir, 'ironclad'), await generateKeyPair('pw'));
  await writeKeyPairFiles(join(fx.dir, 'other'), await generateKeyPair('pw'));
  await writeFile(join(fx.dir, 'vex.json'), JSON.stringify({ '@context': FIXTURE_VEX_TYPE, statements: [] }));
  return {
    registry,
    fx,
    result,
    cli: fixtureCli(fx),
    ref: (path) => `docker://${registry.host}/${path}`,
    async close() {
      await registry.stop();
      await fx.close();
    },
  };
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/**
 * Plain HTTP reads and writes of a registry (distribution spec endpoints), for tests that check what is stored, or
 * change it the way someone with push rights could, without going through our own client.
 */
export function registryHttp(host: string) {
  return {
    async getManifest(repo: string, reference: string, accept = OCI_MANIFEST) {
      const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, { headers: { accept } });
      if (res.status !== 200) return { status: res.status };
      return { status: 200, manifest: (await res.json()) as ManifestJson & { manifests?: LayerJson[] } };
    },
    async getBlob(repo: string, digest: string): Promise<Buffer> {
      const res = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`);
      if (res.status !== 200) throw new Error(`blob ${digest}: HTTP ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },
    async putBlob(repo: string, bytes: Uint8Array): Promise<string> {
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
      const location = new URL(start.headers.get('location') ?? '', `http://${host}`);
      location.searchParams.set('digest', digest);
      const done = await fetch(location, { method: 'PUT', body: bytes });
      if (done.status !== 201) throw new Error(`blob upload ${digest}: HTTP ${done.status}`);
      return digest;
    },
    async putManifest(repo: string, tag: string, manifest: ManifestJson): Promise<void> {
      const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
        method: 'PUT',
        headers: { 'content-type': OCI_MANIFEST },
        body: JSON.stringify(manifest),
      });
      if (res.status !== 201) throw new Error(`manifest ${repo}:${tag}: HTTP ${res.status}`);
    },
  };
}
