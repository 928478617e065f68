import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { buildImageConfig, buildIndex, buildManifest, MediaType } from '../../src/oci/index.ts';
import { buildArtifactManifest, EMPTY_DESCRIPTOR, EMPTY_JSON_BYTES } from '../../src/oci/manifest-build.ts';
import { createRegistryClient } from '../../src/registry/client.ts';
import { getManifest } from '../../src/registry/manifests.ts';
import { listReferrers, pushManifest, referrersTag } from '../../src/registry/referrers.ts';
import { uploadBlob } from '../../src/registry/upload.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

describe('referrers', () => {
  const ctx = createContext({ home: tmpdir() });
  let registry: RegistryServer;
  before(async () => {
    registry = await startRegistry();
  });
  after(() => registry.stop());

  async function subjectImage(repo: string) {
    const client = createRegistryClient({ host: registry.host }, ctx);
    const config = buildImageConfig({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    await uploadBlob(client, repo, config.descriptor, async () => Readable.from([config.bytes]));
    await uploadBlob(client, repo, EMPTY_DESCRIPTOR, async () => Readable.from([EMPTY_JSON_BYTES]));
    const manifest = buildManifest({ config: config.descriptor, layers: [] });
    await pushManifest(client, repo, 'v1', manifest.bytes, MediaType.OCI_MANIFEST);
    return { client, subject: manifest.descriptor };
  }

  test('pushing manifests with a subject maintains the sha256-<hex> fallback index, without duplicates', async () => {
    const { client, subject } = await subjectImage('r/app');
    const sig = buildArtifactManifest({ artifactType: 'application/vnd.example.sig', subject, blobs: [] });
    const sbom = buildArtifactManifest({
      artifactType: 'application/vnd.example.sbom',
      subject,
      blobs: [],
      annotations: { 'org.example.kind': 'sbom' },
    });
    for (const a of [sig, sbom, sig])
      await pushManifest(client, 'r/app', a.descriptor.digest, a.bytes, MediaType.OCI_MANIFEST);
    const all = await listReferrers(client, 'r/app', subject.digest);
    assert.deepEqual(
      all.map((d) => [d.digest, d.artifactType]),
      [
        [sig.descriptor.digest, 'application/vnd.example.sig'],
        [sbom.descriptor.digest, 'application/vnd.example.sbom'],
      ],
    );
    assert.deepEqual(all[1]?.annotations, { 'org.example.kind': 'sbom' });
    const sboms = await listReferrers(client, 'r/app', subject.digest, 'application/vnd.example.sbom');
    assert.deepEqual(
      sboms.map((d) => d.digest),
      [sbom.descriptor.digest],
    );
    const fallback = await getManifest(client, 'r/app', referrersTag(subject.digest));
    assert.equal(fallback.mediaType, MediaType.OCI_INDEX);
    assert.deepEqual(await listReferrers(client, 'r/app', sig.descriptor.digest), []);
  });

  test('uses the referrers API when the registry answers it, filtering client-side if it did not', async () => {
    const { subject } = await subjectImage('r/api');
    const a = buildArtifactManifest({ artifactType: 'application/x.a', subject, blobs: [] }).descriptor;
    const b = buildArtifactManifest({ artifactType: 'application/x.b', subject, blobs: [] }).descriptor;
    const answer = buildIndex({ manifests: [a, b] });
    const proxy = await startFaultProxy(registry.host, [
      {
        match: (r) => (r.url ?? '').includes('/referrers/'),
        fault: {
          kind: 'status',
          status: 200,
          headers: { 'content-type': MediaType.OCI_INDEX },
          body: Buffer.from(answer.bytes).toString(),
        },
        times: 2,
      },
    ]);
    try {
      const client = createRegistryClient({ host: proxy.host }, ctx);
      assert.equal((await listReferrers(client, 'r/api', subject.digest)).length, 2);
      assert.deepEqual(
        (await listReferrers(client, 'r/api', subject.digest, 'application/x.b')).map((d) => d.digest),
        [b.digest],
      );
    } finally {
      await proxy.stop();
    }
  });
});
