import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { openEndpoint, parseImageRef } from '../../src/oci/index.ts';
import { copyImage, registryAccess, registryTransport } from '../../src/registry/index.ts';
import { buildTestImage, type TestImage } from '../support/registry-image.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

describe('an ImageEndpoint over a registry repository', () => {
  let registry: RegistryServer;
  let work: string;
  let image: TestImage;
  const open = (ref: string) => {
    const ctx = createContext({ home: work });
    const access = registryAccess({ home: ctx.home, env: {} }, ctx);
    return openEndpoint(parseImageRef(ref), { home: ctx.home, registry: registryTransport(access) });
  };
  before(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'ironclad-rendpoint-'));
    image = await buildTestImage(join(work, 'src'), 'rendpoint');
  });
  after(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('a copy through the writer reads back; a tag moves; a referrer is attached and found by type', async () => {
    const src = open(`oci:${join(work, 'src')}:v1`);
    const dst = open(`docker://${registry.host}/e/app:v1`);
    const ctx = createContext({ home: work });
    const report = await copyImage({ store: src.store, ref: src.reference }, dst.requireWriter(), { tag: 'v1' }, ctx);
    assert.equal(report.descriptor.digest, image.index.descriptor.digest);
    assert.equal((await dst.source.top()).desc.digest, image.index.descriptor.digest);

    await dst.tag('v2', image.index.descriptor);
    assert.equal(
      (await open(`docker://${registry.host}/e/app:v2`).source.top()).desc.digest,
      image.index.descriptor.digest,
    );

    const artifact = {
      artifactType: 'application/vnd.example.doc+json',
      subject: image.index.descriptor,
      layers: [{ mediaType: 'application/vnd.example.doc+json', bytes: new TextEncoder().encode('{"a":1}') }],
    };
    const attached = await dst.referrers.attach(artifact);
    assert.equal((await dst.referrers.attach(artifact)).digest, attached.digest);
    const found = await dst.referrers.list(image.index.descriptor.digest, { artifactType: artifact.artifactType });
    assert.deepEqual(
      found.map((d) => d.digest),
      [attached.digest],
    );
    const docs = await dst.referrers.documents(image.index.descriptor.digest, artifact.artifactType, 1024);
    assert.equal(Buffer.from(docs[0]!.bytes).toString(), '{"a":1}');
  });
});
