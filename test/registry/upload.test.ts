import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import type { IroncladError } from '../../src/core/index.ts';
import { digestOf, LayoutStore, layoutBlobStore } from '../../src/oci/index.ts';
import { layoutWriter } from '../../src/oci/layout-endpoint.ts';
import { fetchBlob, headBlob } from '../../src/registry/blobs.ts';
import { createRegistryClient } from '../../src/registry/client.ts';
import { copyImage } from '../../src/registry/index.ts';
import { registryBlobStore } from '../../src/registry/registry-store.ts';
import { uploadBlob } from '../../src/registry/upload.ts';
import { registryWriter } from '../../src/registry/writer.ts';
import { type FaultRule, startFaultProxy } from '../support/fault-proxy.ts';
import { buildTestImage, noise, type TestImage } from '../support/registry-image.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

const ctx = createContext({ home: tmpdir() });
const fast = { attempts: 5, baseDelayMs: 5, maxDelayMs: 50 };
const CHUNK = 64 * 1024;

const is = (method: string, pathPart: string) => (req: IncomingMessage) =>
  req.method === method && (req.url ?? '').includes(pathPart);

describe('uploads and faults against a real registry behind a fault proxy', () => {
  let registry: RegistryServer;
  let work: string;
  let image: TestImage;

  before(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'ironclad-upload-'));
    // The per-platform layer (~200 KiB) is larger than the chunk size, so it goes up in PATCH chunks.
    image = await buildTestImage(join(work, 'src'), 'faults', 'v1', 200 * 1024);
  });
  after(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  /** Pushes the test image through a proxy with `rules`, then checks it directly against the registry. */
  async function pushThrough(repo: string, rules: FaultRule[]): Promise<string[]> {
    const proxy = await startFaultProxy(registry.host, rules);
    try {
      const client = createRegistryClient({ host: proxy.host, chunkSize: CHUNK, network: fast }, ctx);
      const report = await copyImage(
        { store: layoutBlobStore(image.store), ref: 'v1' },
        registryWriter(client, repo),
        { tag: 'v1', concurrency: 2 },
        ctx,
      );
      assert.equal(report.descriptor.digest, image.index.descriptor.digest);
    } finally {
      await proxy.stop();
    }
    // Content verifies: pull it back, without the proxy, into a fresh layout.
    const direct = createRegistryClient({ host: registry.host }, ctx);
    const dst = await LayoutStore.open(await mkdtemp(join(work, 'check-')), { create: true });
    const back = await copyImage({ store: registryBlobStore(direct, repo), ref: 'v1' }, layoutWriter(dst), {}, ctx);
    assert.equal(back.descriptor.digest, image.index.descriptor.digest);
    return proxy.seen;
  }

  test('large blobs go up in PATCH chunks, small ones in one PUT', async () => {
    const seen = await pushThrough('faults/clean', []);
    assert.ok(seen.filter((s) => s.startsWith('PATCH ')).length >= 8);
    assert.ok(seen.some((s) => s.startsWith('PUT ') && s.includes('/blobs/uploads/')));
  });

  test('a connection dropped mid blob upload is survived', async () => {
    const seen = await pushThrough('faults/dropped', [
      { match: is('PATCH', '/blobs/uploads/'), fault: { kind: 'drop-request' }, times: 2 },
    ]);
    assert.ok(seen.filter((s) => s.startsWith('PATCH ')).length >= 10);
  });

  test('a 500 on the first try is retried', async () => {
    await pushThrough('faults/500', [
      { match: is('POST', '/blobs/uploads/'), fault: { kind: 'status', status: 500, body: 'boom' } },
      { match: is('PUT', '/manifests/'), fault: { kind: 'status', status: 503 } },
    ]);
  });

  test('a 429 with Retry-After is honoured', async () => {
    await pushThrough('faults/429', [
      {
        match: is('HEAD', '/blobs/'),
        fault: {
          kind: 'status',
          status: 429,
          headers: { 'retry-after': '1' },
          body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}',
        },
      },
    ]);
  });

  test('a proxy that alters blob bytes gives DIGEST_MISMATCH and nothing is stored', async () => {
    const direct = createRegistryClient({ host: registry.host }, ctx);
    await copyImage({ store: layoutBlobStore(image.store), ref: 'v1' }, registryWriter(direct, 'faults/src'), {}, ctx);
    const proxy = await startFaultProxy(registry.host, [
      { match: is('GET', '/blobs/sha256:'), fault: { kind: 'corrupt-response' }, times: 100 },
    ]);
    const dst = await LayoutStore.open(join(work, 'corrupt'), { create: true });
    try {
      const client = createRegistryClient({ host: proxy.host, network: fast }, ctx);
      await assert.rejects(
        copyImage(
          { store: registryBlobStore(client, 'faults/src'), ref: image.index.descriptor.digest },
          layoutWriter(dst),
          {},
          ctx,
        ),
        (e: IroncladError) => e.code === 'DIGEST_MISMATCH',
      );
    } finally {
      await proxy.stop();
    }
    // Manifests are stored only after their content, so a failed blob leaves nothing at all: no blob, no
    // temp file, no index entry.
    assert.deepEqual(await readdir(join(dst.dir, 'blobs', 'sha256')), []);
    assert.deepEqual((await dst.readIndex()).manifests, []);
  });

  test('uploadBlob refuses a source whose bytes do not match the descriptor', async () => {
    const client = createRegistryClient({ host: registry.host, chunkSize: CHUNK }, ctx);
    for (const size of [1000, 3 * CHUNK]) {
      const bytes = noise(`mismatch-${size}`, size);
      const desc = { mediaType: 'application/octet-stream', digest: digestOf(bytes), size };
      const wrong = Buffer.from(bytes);
      wrong[10] = (wrong[10] ?? 0) ^ 1;
      await assert.rejects(
        uploadBlob(client, 'faults/mismatch', desc, async () => Readable.from([wrong])),
        (e: IroncladError) => e.code === 'DIGEST_MISMATCH',
      );
      assert.equal(await headBlob(client, 'faults/mismatch', desc.digest), undefined);
      await uploadBlob(client, 'faults/mismatch', desc, async () => Readable.from([bytes]));
      assert.equal(await headBlob(client, 'faults/mismatch', desc.digest), size);
      assert.deepEqual(Buffer.from(await fetchBlob(client, 'faults/mismatch', desc, size)), Buffer.from(bytes));
    }
  });
});
