import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createContext } from '../../src/core/context.ts';
import { digestOf, LayoutStore, layoutBlobStore, parseManifest } from '../../src/oci/index.ts';
import { layoutWriter } from '../../src/oci/layout-endpoint.ts';
import { createRegistryClient } from '../../src/registry/client.ts';
import { copyImage, mirror } from '../../src/registry/index.ts';
import { listReferrers, referrersTag } from '../../src/registry/referrers.ts';
import { registryBlobStore } from '../../src/registry/registry-store.ts';
import { listTags } from '../../src/registry/tags.ts';
import { registryWriter } from '../../src/registry/writer.ts';
import { addTestReferrer, buildTestImage, type TestImage } from '../support/registry-image.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

const run = promisify(execFile);
const manifestBytes = (items: readonly { kind: string; size: number }[]) =>
  items.filter((i) => i.kind === 'manifest').reduce((n, i) => n + i.size, 0);
const SBOM = 'application/vnd.example.sbom+json';

describe('copyImage and mirror against a real registry', () => {
  let registry: RegistryServer;
  let work: string;
  let image: TestImage;
  const ctx = createContext({ home: tmpdir() });

  before(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'ironclad-copy-'));
    image = await buildTestImage(join(work, 'src'), 'copy');
    await addTestReferrer(image.store, image.index.descriptor, SBOM, '{"sbom":true}');
  });
  after(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  const client = () => createRegistryClient({ host: registry.host }, ctx);

  test('push: skopeo sees the index and copies it back with the same digest', async () => {
    const report = await copyImage(
      { store: layoutBlobStore(image.store), ref: image.tag },
      registryWriter(client(), 'test/app'),
      { tag: 'v1' },
      ctx,
    );
    assert.equal(report.descriptor.digest, image.index.descriptor.digest);
    // 3 distinct layers + 2 configs + the SBOM payload + the empty config blob.
    assert.equal(report.transferred.filter((i) => i.kind === 'blob').length, 7);
    assert.equal(report.skipped.length, 0);

    const ref = `docker://${registry.host}/test/app:v1`;
    const raw = await run('skopeo', ['inspect', '--tls-verify=false', '--raw', ref]);
    assert.equal(digestOf(raw.stdout), image.index.descriptor.digest);
    const inspected = JSON.parse(
      (await run('skopeo', ['inspect', '--tls-verify=false', '--override-arch', 'arm64', ref])).stdout,
    ) as { Architecture: string };
    assert.equal(inspected.Architecture, 'arm64');

    const out = join(work, 'skopeo-out');
    await run('skopeo', ['copy', '--all', '--preserve-digests', '--src-tls-verify=false', ref, `oci:${out}:v1`]);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(index.manifests[0]?.digest, image.index.descriptor.digest);
  });

  test('a second push transfers no blob', async () => {
    const report = await copyImage(
      { store: layoutBlobStore(image.store), ref: image.tag },
      registryWriter(client(), 'test/app'),
      { tag: 'v1' },
      ctx,
    );
    assert.deepEqual(report.transferred, []);
    assert.equal(report.bytesTransferred, 0);
    assert.ok(report.skipped.some((i) => i.digest === image.index.descriptor.digest));
  });

  test('referrers are listed through the tag fallback (the registry has no referrers API)', async () => {
    const c = client();
    const refs = await listReferrers(c, 'test/app', image.index.descriptor.digest);
    assert.equal(refs.length, 1);
    assert.equal(refs[0]?.artifactType, SBOM);
    assert.deepEqual(await listReferrers(c, 'test/app', image.index.descriptor.digest, 'application/other'), []);
    assert.ok((await listTags(c, 'test/app')).includes(referrersTag(image.index.descriptor.digest)));
  });

  test('pull into an OCI layout gives the same digest, with referrers', async () => {
    const dst = await LayoutStore.open(join(work, 'pulled'), { create: true });
    const report = await copyImage(
      { store: registryBlobStore(client(), 'test/app'), ref: 'v1' },
      layoutWriter(dst),
      { tag: 'v1' },
      ctx,
    );
    assert.equal(report.descriptor.digest, image.index.descriptor.digest);
    assert.equal((await dst.resolveTag('v1'))?.digest, image.index.descriptor.digest);
    const refs = await dst.referrers(image.index.descriptor.digest);
    assert.equal(refs.length, 1);
  });

  test('single-platform copy takes only that manifest', async () => {
    const dst = await LayoutStore.open(join(work, 'one'), { create: true });
    const report = await copyImage(
      { store: registryBlobStore(client(), 'test/app'), ref: 'v1' },
      layoutWriter(dst),
      { tag: 'arm', allPlatforms: false, platform: { os: 'linux', architecture: 'arm64' }, referrers: false },
      ctx,
    );
    const parsed = parseManifest(image.index.bytes);
    assert.equal(parsed.kind, 'index');
    if (parsed.kind === 'index') assert.equal(report.descriptor.digest, parsed.index.manifests[1]?.digest);
    assert.equal(report.transferred.filter((i) => i.kind === 'blob').length, 3);
  });

  test('mirror copies matching tags with their referrers, mounting blobs within the registry', async () => {
    const c = client();
    const report = await mirror(
      { client: c, repo: 'test/app' },
      { client: c, repo: 'mirror/app' },
      { tags: 'v*' },
      ctx,
    );
    assert.deepEqual(
      report.tags.map((t) => t.tag),
      ['v1'],
    );
    assert.deepEqual(
      (await listTags(c, 'mirror/app')).sort(),
      [referrersTag(image.index.descriptor.digest), 'v1'].sort(),
    );
    const refs = await listReferrers(c, 'mirror/app', image.index.descriptor.digest);
    assert.equal(refs[0]?.artifactType, SBOM);
    const blobs = report.tags[0]?.report.transferred.filter((i) => i.kind === 'blob') ?? [];
    assert.equal(blobs.length, 7);
    assert.ok(blobs.every((b) => b.mounted === true));
    assert.equal(report.tags[0]?.report.bytesTransferred, manifestBytes(report.tags[0]?.report.transferred ?? []));
  });
});
