import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { startCli } from '../support/cli-process.ts';

// A real CLI process gets SIGINT (or SIGTERM) in the middle of `db import` from a source that stalls mid-body:
// at that moment the import's temp database and its download scratch directory exist. Afterwards the home must
// hold exactly what it held before, byte for byte.

let work: string;
let url: string;
const stalled: ServerResponse[] = [];
let requested: () => void;
const requestSeen = new Promise<void>((r) => {
  requested = r;
});
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(10 * 1024 * 1024) });
  res.write(Buffer.alloc(64 * 1024)); // then nothing more: the download waits
  stalled.push(res);
  requested();
});

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'ironclad-interrupt-'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/all.zip`;
});
after(async () => {
  for (const res of stalled) res.destroy();
  server.close();
  await rm(work, { recursive: true, force: true });
});

async function osvTree(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const doc = {
    schema_version: '1.6.0',
    id: 'CVE-2024-0001',
    modified: '2024-02-01T00:00:00Z',
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'zlib' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.3-1' }] }],
      },
    ],
  };
  await writeFile(join(dir, 'CVE-2024-0001.json'), JSON.stringify(doc));
  return dir;
}

/** Every file under `dir` with the sha256 of its content. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    out[relative(dir, path)] = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  }
  return out;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} during db import: exit ${signal === 'SIGINT' ? 130 : 143}, no leftovers, database unchanged`, async () => {
    const home = join(work, `home-${signal}`);
    const env = { IRONCLAD_HOME: home };
    const first = await startCli(['db', 'import', await osvTree(join(work, 'osv'))], env).exited;
    assert.equal(first.status, 0, first.stderr);
    const before = await snapshot(home);
    assert.ok(before['vuln.db'] !== undefined);

    const cli = startCli(['db', 'import', url], env);
    await requestSeen;
    // The temp database (`.vuln.db.<pid>-….tmp`) and the download's scratch directory are there now.
    await waitFor('the import to be under way', async () => {
      const names = await readdir(home);
      const scratch = await readdir(join(home, 'tmp')).catch(() => []);
      return names.some((n) => n.startsWith(`.vuln.db.${cli.pid}-`)) && scratch.length > 0;
    });
    process.kill(cli.pid, signal);
    const r = await cli.exited;

    assert.equal(r.status, signal === 'SIGINT' ? 130 : 143, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines.at(-1) ?? '', new RegExp(`^interrupted by ${signal}: `));
    assert.ok(!r.stderr.includes('error:'), r.stderr);
    assert.deepEqual(await snapshot(home), before);
    assert.deepEqual(await readdir(join(home, 'tmp')), []);
  });
}
