/**
 * Registry push benchmark against a local docker-registry (CNCF distribution):
 *   node --import tsx bench/push.ts [MiB per layer, default 32]
 * Pushes a two-platform image of incompressible layers and prints MB/s, then the repeated push where every
 * blob is already present (ms), a pull back into an OCI layout, and as the reference `skopeo copy` of the same
 * layout on this machine in this run, with the ratio.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createContext } from '../src/core/context.ts';
import { LayoutStore, layoutBlobStore } from '../src/oci/index.ts';
import { layoutWriter } from '../src/oci/layout-endpoint.ts';
import { createRegistryClient } from '../src/registry/client.ts';
import { copyImage } from '../src/registry/index.ts';
import { registryBlobStore } from '../src/registry/registry-store.ts';
import { registryWriter } from '../src/registry/writer.ts';
import { buildTestImage } from '../test/support/registry-image.ts';
import { startRegistry } from '../test/support/registry-server.ts';

const run = promisify(execFile);
const layerMiB = Number(process.argv[2] ?? '32');

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

const mbps = (bytes: number, ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(1);

const work = await mkdtemp(join(tmpdir(), 'bench-push-'));
const registry = await startRegistry();
try {
  const image = await buildTestImage(join(work, 'src'), 'bench', 'v1', layerMiB * 1024 * 1024);
  const ctx = createContext({ home: work });
  const client = createRegistryClient({ host: registry.host }, ctx);
  const src = { store: layoutBlobStore(image.store), ref: 'v1' };

  const [first, pushMs] = await timed(() => copyImage(src, registryWriter(client, 'bench/app'), { tag: 'v1' }, ctx));
  console.log(
    `push:        ${first.bytesTransferred} bytes in ${pushMs.toFixed(0)} ms = ${mbps(first.bytesTransferred, pushMs)} MB/s`,
  );

  const [again, againMs] = await timed(() => copyImage(src, registryWriter(client, 'bench/app'), { tag: 'v1' }, ctx));
  console.log(
    `re-push:     ${againMs.toFixed(1)} ms (${again.transferred.length} transferred, ${again.skipped.length} present)`,
  );

  const dst = await LayoutStore.open(join(work, 'pulled'), { create: true });
  const [pulled, pullMs] = await timed(() =>
    copyImage({ store: registryBlobStore(client, 'bench/app'), ref: 'v1' }, layoutWriter(dst), { tag: 'v1' }, ctx),
  );
  console.log(`pull:        ${mbps(pulled.bytesTransferred, pullMs)} MB/s`);

  const [, skopeoMs] = await timed(() =>
    run('skopeo', [
      'copy',
      '--all',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${image.store.dir}:v1`,
      `docker://${registry.host}/bench/skopeo:v1`,
    ]),
  );
  console.log(`skopeo push: ${mbps(first.bytesTransferred, skopeoMs)} MB/s (reference)`);
  console.log(`ratio ironclad/skopeo push throughput: ${(skopeoMs / pushMs).toFixed(2)}`);
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
