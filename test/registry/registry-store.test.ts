import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { imageSourceFrom, layoutBlobStore, readAll } from '../../src/oci/index.ts';
import { createRegistryClient } from '../../src/registry/client.ts';
import { copyImage } from '../../src/registry/index.ts';
import { registryBlobStore } from '../../src/registry/registry-store.ts';
import { registryWriter } from '../../src/registry/writer.ts';
import { addTestReferrer, buildTestImage, type TestImage } from '../support/registry-image.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

describe('an ImageSource over a registry', () => {
  const ctx = createContext({ home: tmpdir() });
  let registry: RegistryServer;
  let work: string;
  let image: TestImage;
  before(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'ironclad-rstore-'));
    image = await buildTestImage(join(work, 'src'), 'rstore');
    await addTestReferrer(image.store, image.index.descriptor, 'application/vnd.example.sig', 'sig');
    const client = createRegistryClient({ host: registry.host }, ctx);
    await copyImage(
      { store: layoutBlobStore(image.store), ref: 'v1' },
      registryWriter(client, 's/app'),
      { tag: 'v1' },
      ctx,
    );
  });
  after(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('resolves a platform, reads its config and streams its layers, verified', async () => {
    const client = createRegistryClient({ host: registry.host }, ctx);
    const source = imageSourceFrom(registryBlobStore(client, 's/app'), 'v1');
    assert.equal((await source.top()).desc.digest, image.index.descriptor.digest);
    assert.equal((await source.platforms()).length, 2);
    const arm = await source.resolve({ os: 'linux', architecture: 'arm64' });
    assert.equal((await arm.config()).architecture, 'arm64');
    for (const layer of arm.layers()) {
      const bytes = await readAll(await layer.open(), 10 * 1024 * 1024, 'layer');
      assert.equal(bytes.length, layer.desc.size);
    }
    const refs = await source.referrers(image.index.descriptor.digest);
    assert.deepEqual(
      refs.map((r) => r.artifactType),
      ['application/vnd.example.sig'],
    );
  });
});
