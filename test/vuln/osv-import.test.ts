import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { Home, type IroncladError } from '../../src/core/index.ts';
import { importOsv, openVulnDb, updateDb } from '../../src/vuln/index.ts';
import { DEFAULT_OSV_SOURCE, updateSourcesOf } from '../../src/vuln/osv-import.ts';

// Small, hand-written OSV documents in the shape of the Debian export.
function record(id: string, modified: string, pkg: string, fixed: string | null, ecosystem = 'Debian:12') {
  const events: Record<string, string>[] = [{ introduced: '0' }];
  if (fixed !== null) events.push({ fixed });
  return {
    schema_version: '1.6.0',
    id,
    modified,
    published: '2024-01-01T00:00:00Z',
    details: `${id} details`,
    affected: [
      {
        package: { ecosystem, name: pkg, purl: `pkg:deb/debian/${pkg}?arch=source` },
        ranges: [{ type: 'ECOSYSTEM', events }],
        ecosystem_specific: { urgency: 'low' },
      },
      { package: {}, ranges: [{ type: 'GIT', repo: 'https://example.org/x', events: [{ introduced: '0' }] }] },
    ],
  };
}

let work: string;
let tree: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'vuln-import-'));
  tree = join(work, 'tree');
  await mkdir(join(tree, 'CVE', '2024'), { recursive: true });
  await mkdir(join(tree, 'DSA', '2023'), { recursive: true });
  await mkdir(join(tree, 'DSA', '2024'), { recursive: true });
  const put = (p: string, v: unknown) => writeFile(join(tree, p), typeof v === 'string' ? v : JSON.stringify(v));
  await put('CVE/2024/CVE-2024-0001.json', record('CVE-2024-0001', '2024-02-01T00:00:00Z', 'zlib', '1:1.3-1'));
  await put('CVE/2024/CVE-2024-0002.json', record('CVE-2024-0002', '2024-02-02T00:00:00Z', 'openssl', null));
  // Same id in two year folders: the newer `modified` must win whatever the reading order.
  await put('DSA/2023/DSA-9999-1.json', record('DSA-9999-1', '2024-03-01T00:00:00Z', 'curl', '7.88.1-10+deb12u9'));
  await put('DSA/2024/DSA-9999-1.json', record('DSA-9999-1', '2023-01-01T00:00:00Z', 'curl', '7.88.1-10+deb12u1'));
  // Only other ecosystems: ignored, not malformed.
  await put(
    'CVE/2024/CVE-2024-0003.json',
    record('CVE-2024-0003', '2024-02-03T00:00:00Z', 'musl', '1.2', 'Alpine:v3.20'),
  );
  // Malformed: bad JSON, unknown range type, over 4 MiB.
  await put('CVE/2024/CVE-2024-0004.json', '{"id": "CVE-2024-0004", ');
  const weird = record('CVE-2024-0005', '2024-02-05T00:00:00Z', 'bash', null);
  (weird.affected[0]?.ranges[0] as { type: string }).type = 'CALVER';
  await put('CVE/2024/CVE-2024-0005.json', weird);
  await put('CVE/2024/CVE-2024-0006.json', ' '.repeat(4 * 1024 * 1024 + 10));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

const ctxFor = (home: string) => createContext({ home, now: () => new Date('2024-03-05T00:00:00Z') });

function dump(home: string) {
  const db = openVulnDb(new Home(home));
  try {
    const rows = ['zlib', 'openssl', 'curl', 'musl', 'bash'].flatMap((p) =>
      db.affectedFor('Debian:12', p).map((r) => [r.recordId, r.package, JSON.stringify(r.ranges), r.urgency]),
    );
    return { rows, summary: db.summary() };
  } finally {
    db.close();
  }
}

test('a directory import keeps Debian records, newest duplicate wins, malformed files are counted', async () => {
  const home = join(work, 'dir-home');
  const result = await importOsv([tree], ctxFor(home));
  assert.equal(result.records, 3);
  assert.equal(result.skipped, 3);
  assert.deepEqual(result.problems.map((p) => p.name).sort(), [
    join('CVE', '2024', 'CVE-2024-0004.json'),
    join('CVE', '2024', 'CVE-2024-0005.json'),
    join('CVE', '2024', 'CVE-2024-0006.json'),
  ]);
  assert.equal(result.sources[0]?.ignored, 1);
  const { rows, summary } = dump(home);
  assert.deepEqual(
    rows.map((r) => r[0]),
    ['CVE-2024-0001', 'CVE-2024-0002', 'DSA-9999-1'],
  );
  assert.match(rows[2]?.[2] ?? '', /deb12u9/);
  assert.equal(summary.newestModified, '2024-03-01T00:00:00Z');
  assert.deepEqual(summary.ecosystems, [{ ecosystem: 'Debian:12', records: 3, packages: 3 }]);
});

test('zip, tar.gz and tar.xz imports are equivalent to the directory import', async () => {
  const zip = join(work, 'all.zip');
  execFileSync('zip', ['-qr', zip, '.'], { cwd: tree });
  execFileSync('tar', ['-czf', join(work, 'all.tar.gz'), '-C', tree, '.']);
  execFileSync('tar', ['-cJf', join(work, 'all.tar.xz'), '-C', tree, '.']);
  await importOsv([tree], ctxFor(join(work, 'ref')));
  const expected = dump(join(work, 'ref')).rows;
  for (const name of ['all.zip', 'all.tar.gz', 'all.tar.xz']) {
    const home = join(work, `home-${name}`);
    const result = await importOsv([join(work, name)], ctxFor(home));
    assert.equal(result.skipped, 3, name);
    assert.deepEqual(dump(home).rows, expected, name);
  }
});

test('a failed import leaves the previous database intact and no temp file behind', async () => {
  const home = join(work, 'keep-home');
  await importOsv([tree], ctxFor(home));
  const before = await readFile(join(home, 'vuln.db'));
  const corrupt = join(work, 'corrupt.zip');
  const zipBytes = await readFile(join(work, 'all.zip'));
  await writeFile(corrupt, zipBytes.subarray(0, zipBytes.length - 200));
  await assert.rejects(importOsv([tree, corrupt], ctxFor(home)), (e: IroncladError) => e.code === 'INVALID_INPUT');
  assert.deepEqual(await readFile(join(home, 'vuln.db')), before);
  const { readdirSync } = await import('node:fs');
  assert.deepEqual(readdirSync(home), ['vuln.db']);
});

test('a source that is neither directory nor archive is rejected', async () => {
  const junk = join(work, 'junk.bin');
  await writeFile(junk, 'hello');
  await assert.rejects(
    importOsv([junk], ctxFor(join(work, 'junk-home'))),
    (e: IroncladError) => e.code === 'INVALID_INPUT',
  );
  await assert.rejects(
    importOsv([join(work, 'missing')], ctxFor(join(work, 'junk-home'))),
    (e: IroncladError) => e.code === 'NOT_FOUND',
  );
});

test('db update downloads the chosen URL from a local server and remembers it', async () => {
  const zip = await readFile(join(work, 'all.zip'));
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    if (req.url === '/Debian/all.zip') {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length });
      res.end(zip);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/Debian/all.zip`;
    const home = join(work, 'update-home');
    assert.deepEqual(updateSourcesOf(new Home(home)), [DEFAULT_OSV_SOURCE]);
    const first = await updateDb(ctxFor(home), [url]);
    assert.equal(first.records, 3);
    assert.deepEqual(updateSourcesOf(new Home(home)), [url]);
    const second = await updateDb(ctxFor(home));
    assert.equal(second.sources[0]?.url, url);
    assert.equal(second.sources[0]?.kind, 'url:zip');
    assert.equal(hits, 2);
    await assert.rejects(
      updateDb(ctxFor(home), [url.replace('all.zip', 'missing.zip')]),
      (e: IroncladError) => e.code === 'NETWORK',
    );
    assert.deepEqual(updateSourcesOf(new Home(home)), [url]);
  } finally {
    server.close();
  }
});

test('opening a database that does not exist fails with NOT_FOUND', () => {
  assert.throws(
    () => openVulnDb(new Home(join(work, 'nothing-here'))),
    (e: IroncladError) => e.code === 'NOT_FOUND',
  );
});
