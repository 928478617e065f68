import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runCli } from '../../src/cli/main.ts';
import { createContext, type StageContext } from '../../src/core/index.ts';
import { hostPlatform, openImageSource } from '../../src/oci/index.ts';
import { PreparedImage, type RunningContainer } from '../../src/testing/prepared-image.ts';
import { captureIO } from '../support/cli-io.ts';

/*
 * The three application images built from the real Debian archive (runtime, linux/amd64 only, one home for all
 * three: the run's shared IRONCLAD_TEST_HOME when scripts/test.sh sets one, whose caches the catalog e2e parts fill
 * too, so these builds read cached packages and layers), each started with its own entrypoint by the machinery service tests use, and answered by a real client
 * from this machine: curl, redis-cli, psql. A container has its own, empty network namespace (loopback only), so
 * each client joins it with `nsenter --net=/proc/PID/ns/net`, as the service tests' probes do; this needs root.
 */
const REPO = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

describe('nginx, redis and postgres answer real clients from the host', () => {
  let work: string;
  let home: string;
  let ctx: StageContext;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'app-clients-'));
    home = process.env.IRONCLAD_TEST_HOME ?? join(work, 'home');
    ctx = createContext({ home });
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /**
   * Builds images/NAME (runtime, amd64) from its committed lock into a layout of this test's own (a shared home's
   * store holds the catalog parts' builds), which also runs its checks and the definition's own tests (linkage,
   * starts, writable-paths, service tests): a failure there fails the build. Then starts it for a host client.
   */
  async function serve(name: string, env: readonly string[], use: (c: RunningContainer) => Promise<void>) {
    const io = captureIO(REPO, { IRONCLAD_HOME: home });
    const out = join(work, 'out', name);
    const argv = ['build', `images/${name}`, '--variant', 'runtime', '--platform', 'linux/amd64', '--out', out];
    const status = await runCli(argv, io);
    assert.equal(status, 0, io.err.join('\n'));
    const source = openImageSource({ kind: 'oci-layout', dir: out, tag: 'latest' }, {});
    const image = await PreparedImage.prepare(await source.resolve(), { host: hostPlatform() }, ctx);
    try {
      const c = await image.start({ timeoutMs: 180_000, env }, ctx);
      try {
        await use(c);
      } finally {
        await c.close();
      }
    } finally {
      await image.close();
    }
  }

  /** Runs a host client inside the container's network namespace, retrying while the server starts. */
  async function client(c: RunningContainer, argv: readonly string[], env: NodeJS.ProcessEnv = {}) {
    let last: unknown;
    for (let i = 0; i < 120; i++) {
      try {
        const r = await run('nsenter', [`--net=${c.netns}`, ...argv], { env: { ...process.env, ...env } });
        return r.stdout;
      } catch (err) {
        last = err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    throw last;
  }

  test('curl gets 200 from nginx on 8080', async () => {
    await serve('nginx', [], async (c) => {
      const out = await client(c, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1:8080/']);
      assert.equal(out, '200');
    });
  });

  test('redis-cli gets PONG from redis on 6379', async () => {
    await serve('redis', [], async (c) => {
      assert.equal((await client(c, ['redis-cli', '-h', '127.0.0.1', '-p', '6379', 'ping'])).trim(), 'PONG');
    });
  });

  test('psql gets 1 and a built-in UUID from postgres on 5432, after the first start initialised the data directory', async () => {
    await serve('postgres', ['POSTGRES_PASSWORD=secret'], async (c) => {
      // Then a built-in UUID (the image leaves out libuuid1 and with it the uuid-ossp module, whose extension is
      // therefore not offered).
      const uuid =
        "SELECT length(gen_random_uuid()::text), count(*) FROM pg_available_extensions WHERE name = 'uuid-ossp'";
      const psql = ['psql', '-h', '127.0.0.1', '-U', 'postgres', '-tA', '-c', 'SELECT 1', '-c', uuid];
      const out = await client(c, psql, { PGPASSWORD: 'secret', PGCONNECT_TIMEOUT: '5' });
      assert.deepEqual(out.trim().split('\n'), ['1', '36|0']);
    });
  });
});
