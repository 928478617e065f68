import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { buildImageConfig, buildManifest, MediaType } from '../../src/oci/index.ts';
import { createRegistryClient } from '../../src/registry/client.ts';
import { putManifest } from '../../src/registry/manifests.ts';
import { listTags, nextLink } from '../../src/registry/tags.ts';
import { uploadBlob } from '../../src/registry/upload.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

test('nextLink finds rel="next" in a Link header', () => {
  assert.equal(nextLink('</v2/a/tags/list?last=b&n=2>; rel="next"'), '/v2/a/tags/list?last=b&n=2');
  assert.equal(nextLink('<https://x/prev>; rel="prev", <https://x/next>; rel=next'), 'https://x/next');
  assert.equal(nextLink('<https://x/y>; rel="nextish"'), undefined);
  assert.equal(nextLink(null), undefined);
});

describe('tag listing against a real registry', () => {
  const ctx = createContext({ home: tmpdir() });
  let registry: RegistryServer;
  before(async () => {
    registry = await startRegistry();
  });
  after(() => registry.stop());

  test('follows pages and returns every tag; an unknown repo has none', async () => {
    const client = createRegistryClient({ host: registry.host }, ctx);
    const config = buildImageConfig({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
    await uploadBlob(client, 't/app', config.descriptor, async () => Readable.from([config.bytes]));
    const manifest = buildManifest({ config: config.descriptor, layers: [] });
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const tag of names) await putManifest(client, 't/app', tag, manifest.bytes, MediaType.OCI_MANIFEST);
    assert.deepEqual((await listTags(client, 't/app', 2)).sort(), names);
    assert.deepEqual(await listTags(client, 't/none'), []);
  });
});
