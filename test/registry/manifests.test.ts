import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import type { IroncladError } from '../../src/core/index.ts';
import { layoutBlobStore, MediaType } from '../../src/oci/index.ts';
import { createRegistryClient } from '../../src/registry/client.ts';
import { copyImage } from '../../src/registry/index.ts';
import { getManifest, headManifest, putManifest } from '../../src/registry/manifests.ts';
import { registryWriter } from '../../src/registry/writer.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { buildTestImage, type TestImage } from '../support/registry-image.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

describe('manifest operations', () => {
  const ctx = createContext({ home: tmpdir() });
  let registry: RegistryServer;
  let work: string;
  let image: TestImage;
  before(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'ironclad-manifests-'));
    image = await buildTestImage(join(work, 'src'), 'manifests');
    const client = createRegistryClient({ host: registry.host }, ctx);
    await copyImage(
      { store: layoutBlobStore(image.store), ref: 'v1' },
      registryWriter(client, 'm/app'),
      { tag: 'v1' },
      ctx,
    );
  });
  after(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('GET by tag and by digest returns the exact bytes; HEAD gives the descriptor', async () => {
    const client = createRegistryClient({ host: registry.host }, ctx);
    const byTag = await getManifest(client, 'm/app', 'v1');
    assert.equal(byTag.digest, image.index.descriptor.digest);
    assert.equal(byTag.mediaType, MediaType.OCI_INDEX);
    assert.deepEqual(Buffer.from(byTag.bytes), Buffer.from(image.index.bytes));
    const byDigest = await getManifest(client, 'm/app', image.index.descriptor.digest);
    assert.equal(byDigest.digest, image.index.descriptor.digest);
    assert.deepEqual(await headManifest(client, 'm/app', 'v1'), {
      mediaType: MediaType.OCI_INDEX,
      digest: image.index.descriptor.digest,
      size: image.index.bytes.length,
    });
    assert.equal(await headManifest(client, 'm/app', 'nope'), undefined);
  });

  test('a missing manifest is NOT_FOUND; a bad reference is USAGE', async () => {
    const client = createRegistryClient({ host: registry.host }, ctx);
    await assert.rejects(getManifest(client, 'm/app', 'missing'), (e: IroncladError) => e.code === 'NOT_FOUND');
    await assert.rejects(getManifest(client, 'm/app', 'bad/tag'), (e: IroncladError) => e.code === 'USAGE');
  });

  test('altered manifest bytes are DIGEST_MISMATCH, by digest and by tag', async () => {
    const proxy = await startFaultProxy(registry.host, [
      {
        match: (r) => r.method === 'GET' && (r.url ?? '').includes('/manifests/'),
        fault: { kind: 'corrupt-response' },
        times: 10,
      },
    ]);
    try {
      const client = createRegistryClient({ host: proxy.host }, ctx);
      for (const ref of [image.index.descriptor.digest, 'v1']) {
        await assert.rejects(getManifest(client, 'm/app', ref), (e: IroncladError) => e.code === 'DIGEST_MISMATCH');
      }
    } finally {
      await proxy.stop();
    }
  });

  test('PUT refuses bytes that do not match the digest reference, and oversize manifests', async () => {
    const client = createRegistryClient({ host: registry.host }, ctx);
    await assert.rejects(
      putManifest(client, 'm/app', image.index.descriptor.digest, new TextEncoder().encode('{}'), MediaType.OCI_INDEX),
      (e: IroncladError) => e.code === 'DIGEST_MISMATCH',
    );
    await assert.rejects(
      putManifest(client, 'm/app', 'big', new Uint8Array(4 * 1024 * 1024 + 1), MediaType.OCI_INDEX),
      (e: IroncladError) => e.code === 'INVALID_INPUT',
    );
    const pushed = await putManifest(client, 'm/app', 'again', image.index.bytes, MediaType.OCI_INDEX);
    assert.equal(pushed.digest, image.index.descriptor.digest);
    assert.equal(pushed.subjectProcessed, false);
  });
});
