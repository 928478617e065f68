import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from '../support/cli-io.ts';
import { treeSnapshot } from '../support/tree-snapshot.ts';

/**
 * Registries that fail mid-way: a body that stalls, a connection dropped mid-body, and a Retry-After of
 * 999999 s. Each must end with exit 4 and a hint (never "this is a bug", never a hang), bounded by the
 * timeouts and the total deadline, and leave the local store as it was.
 */

type Mode = 'ok' | 'stall' | 'drop' | 'retry-after';

const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
/** A one-config image per repository, so the faulty one shares no blob with the one already stored. */
function image(repo: string): { config: Buffer; manifest: Buffer } {
  const rootfs = { type: 'layers', diff_ids: [] };
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs, config: { User: repo } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [],
    }),
  );
  return { config, manifest };
}
const images = { good: image('good'), bad: image('bad') };

/** A fake registry on 127.0.0.1: repository `good` always answers; `bad` answers in the current mode. */
let mode: Mode = 'ok';
let badRequests = 0;
let server: Server;
let host: string;
let work: string;

function serve(res: ServerResponse, body: Buffer, type: string, digest: string): void {
  res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'docker-content-digest': digest });
  res.end(body);
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'ironclad-net-faults-'));
  server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    const m = /^\/v2\/(good|bad)\/(manifests|blobs)\/(.+)$/.exec(url);
    if (m === null) return void res.writeHead(404).end();
    const [, repo, kind] = m;
    const { config, manifest } = images[repo as keyof typeof images];
    if (repo === 'bad') badRequests++;
    // Every fault is bounded: at most this many requests are answered badly before the test fails anyway.
    if (badRequests > 20) return void res.writeHead(500).end();
    const faulty = repo === 'bad' ? mode : 'ok';
    if (faulty === 'retry-after') {
      return void res.writeHead(503, { 'retry-after': '999999', 'content-type': 'application/json' }).end('{}');
    }
    if (kind === 'manifests') return serve(res, manifest, 'application/vnd.oci.image.manifest.v1+json', sha(manifest));
    if (faulty === 'ok') return serve(res, config, 'application/octet-stream', sha(config));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': config.length });
    res.write(config.subarray(0, 10));
    // 'stall' leaves the body unfinished until the server closes; 'drop' cuts the connection.
    if (faulty === 'drop') setTimeout(() => res.socket?.destroy(), 10);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  server.close();
  await rm(work, { recursive: true, force: true });
});

async function pullWithFault(
  name: string,
  fault: Mode,
  env: Record<string, string>,
): Promise<{ code: number; err: string }> {
  const home = join(work, name);
  const io = captureIO(work, { IRONCLAD_HOME: home, HOME: work, DOCKER_CONFIG: join(work, 'no-docker'), ...env });
  mode = 'ok';
  assert.equal(await runCli(['pull', `${host}/good:1`], io), 0, io.err.join('\n'));
  const before = await treeSnapshot(join(home, 'store'));
  assert.ok(before.size > 0);
  mode = fault;
  badRequests = 0;
  const failing = captureIO(work, io.env);
  const code = await runCli(['pull', `${host}/bad:1`], failing);
  assert.deepEqual(await treeSnapshot(join(home, 'store')), before, 'the store is unchanged');
  return { code, err: failing.err.join('\n') };
}

test('a registry that stalls mid-body: exit 4 with a hint, bounded by the idle timeout', async () => {
  const { code, err } = await pullWithFault('stall', 'stall', { IRONCLAD_NETWORK_TIMEOUT: '0.5' });
  assert.equal(code, 4, err);
  assert.match(err, /no data for/);
  assert.match(err, /hint: check your network connection/);
  assert.doesNotMatch(err, /this is a bug/);
  assert.ok(badRequests <= 6, `${badRequests} requests`);
});

test('a registry that drops the connection mid-body: exit 4 with a hint', async () => {
  const { code, err } = await pullWithFault('drop', 'drop', {});
  assert.equal(code, 4, err);
  assert.match(err, new RegExp(`reading the response from http://${host}/v2/bad/blobs/`));
  assert.match(err, /hint: /);
  assert.doesNotMatch(err, /this is a bug/);
});

test('Retry-After: 999999 does not hang: the wait is capped and the deadline ends the operation', async () => {
  const { code, err } = await pullWithFault('retry-after', 'retry-after', { IRONCLAD_NETWORK_DEADLINE: '3' });
  assert.equal(code, 4, err);
  assert.match(err, /gave up at the network deadline of 3 s; last error: .*HTTP 503/);
  assert.match(err, /IRONCLAD_NETWORK_DEADLINE/);
  assert.equal(badRequests, 1);
});

test('a nonsensical deadline is a usage error', async () => {
  const io = captureIO(work, { IRONCLAD_HOME: join(work, 'usage'), IRONCLAD_NETWORK_DEADLINE: 'forever' });
  assert.equal(await runCli(['pull', `${host}/good:1`], io), 2);
  assert.match(io.err.join('\n'), /IRONCLAD_NETWORK_DEADLINE=forever is not a number of seconds/);
});
