import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from '../support/cli-io.ts';

test('db import then db status (table and json)', async () => {
  const work = await mkdtemp(join(tmpdir(), 'cli-db-'));
  try {
    const io = captureIO(work, { IRONCLAD_HOME: join(work, 'home') });
    const out = io.out;
    await mkdir(join(work, 'osv'));
    await writeFile(
      join(work, 'osv', 'x.json'),
      JSON.stringify({
        id: 'CVE-2025-1',
        modified: '2025-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: 'zlib' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
          },
        ],
      }),
    );
    await writeFile(join(work, 'osv', 'broken.json'), '{');
    assert.equal(await runCli(['db', 'import', 'osv'], io), 0);
    assert.match(out.join('\n'), /imported 1 records/);
    out.length = 0;
    assert.equal(await runCli(['db', 'status', '--format', 'json'], io), 0);
    const status = JSON.parse(out.join(''));
    assert.equal(status.records, 1);
    assert.equal(status.sources[0].skipped, 1);
    assert.equal(status.stale, true);
    out.length = 0;
    assert.equal(await runCli(['db', 'status'], io), 0);
    assert.match(out.join('\n'), /Debian:12\s+1\s+1/);
    assert.equal(await runCli(['db', 'status', '--format', 'yaml'], io), 2);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

/** Serves `zip` at /Debian/all.zip on 127.0.0.1, counting requests. */
async function serveZip(zip: Buffer): Promise<{ url: string; hits: () => number; close: () => void }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    if (req.url === '/Debian/all.zip') res.writeHead(200, { 'content-length': zip.length }).end(zip);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/Debian/all.zip`;
  return { url, hits: () => hits, close: () => server.close() };
}

const record = (id: string, modified: string) =>
  JSON.stringify({
    id,
    modified,
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'zlib' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
      },
    ],
  });

test('db update fetches the default export, not the file imported before; db status says where data came from', async () => {
  const work = await mkdtemp(join(tmpdir(), 'cli-db-'));
  try {
    await mkdir(join(work, 'old'));
    await writeFile(join(work, 'old', 'a.json'), record('CVE-2025-1', '2025-01-01T00:00:00Z'));
    execFileSync('zip', ['-qr', join(work, 'old.zip'), '.'], { cwd: join(work, 'old') });
    await mkdir(join(work, 'new'));
    await writeFile(join(work, 'new', 'a.json'), record('CVE-2025-1', '2025-01-01T00:00:00Z'));
    await writeFile(join(work, 'new', 'b.json'), record('CVE-2026-2', new Date().toISOString()));
    execFileSync('zip', ['-qr', join(work, 'new.zip'), '.'], { cwd: join(work, 'new') });
    const server = await serveZip(await readFile(join(work, 'new.zip')));
    try {
      const io = captureIO(work, { IRONCLAD_HOME: join(work, 'home'), IRONCLAD_OSV_URL: server.url });
      assert.equal(await runCli(['db', 'import', 'old.zip'], io), 0);
      io.out.length = 0;
      assert.equal(await runCli(['db', 'status', '--format', 'json'], io), 0);
      let status = JSON.parse(io.out.join(''));
      assert.deepEqual(
        status.origin.map((o: { kind: string; format: string; source: string }) => [o.kind, o.format, o.source]),
        [['file', 'zip', join(work, 'old.zip')]],
      );
      assert.equal(status.origin[0].importedDaysAgo, 0);
      assert.deepEqual(status.nextUpdate, { sources: [server.url], isDefault: true });
      assert.equal(status.stale, true);

      io.out.length = 0;
      assert.equal(await runCli(['db', 'update'], io), 0);
      assert.equal(server.hits(), 1);
      assert.match(io.out.join('\n'), /imported 2 records/);
      io.out.length = 0;
      assert.equal(await runCli(['db', 'status', '--format', 'json'], io), 0);
      status = JSON.parse(io.out.join(''));
      assert.equal(status.records, 2);
      assert.deepEqual(
        status.origin.map((o: { kind: string; source: string }) => [o.kind, o.source]),
        [['url', server.url]],
      );
      assert.equal(status.ageDays, 0);
      assert.equal(status.stale, false);

      io.out.length = 0;
      assert.equal(await runCli(['db', 'status'], io), 0);
      const table = io.out.join('\n');
      assert.match(table, new RegExp(`data from:\\s+url ${server.url} \\(zip\\), imported \\S+ \\(today\\)`));
      assert.match(table, /next db update:\s+\S+ \(default\)/);

      // A second import of the old file is data for now, and still not what the next update fetches.
      assert.equal(await runCli(['db', 'import', '--force', 'old.zip'], io), 0);
      assert.equal(await runCli(['db', 'update'], io), 0);
      assert.equal(server.hits(), 2);
    } finally {
      server.close();
    }
    const bad = captureIO(work, { IRONCLAD_HOME: join(work, 'home'), IRONCLAD_OSV_URL: 'old.zip' });
    assert.equal(await runCli(['db', 'update'], bad), 2);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
