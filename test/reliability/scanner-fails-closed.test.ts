import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from '../support/cli-io.ts';

/**
 * Issue 12, item 5: the scanner fails closed. An import that yields no records, or far fewer than the database it
 * replaces, is refused (exit 3) and the old database kept; `scan` on an empty or stale database says so on stderr
 * and `--fail-on` exits 1 when there is no data to judge by.
 */

let work: string;
const NOW = new Date();
const recent = new Date(NOW.getTime() - 86_400_000).toISOString();

const osv = (id: string, pkg: string, modified = recent) => ({
  id,
  modified,
  affected: [
    {
      package: { ecosystem: 'Debian:12', name: pkg },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9.9-1' }] }],
      ecosystem_specific: { urgency: 'high' },
    },
  ],
});

async function osvDir(name: string, docs: readonly (object | string)[]): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir);
  await Promise.all(
    docs.map((d, i) => writeFile(join(dir, `${i}.json`), typeof d === 'string' ? d : JSON.stringify(d))),
  );
  return name;
}

const cli = async (args: string[], home = 'home') => {
  const io = captureIO(work, { IRONCLAD_HOME: join(work, home) });
  const status = await runCli(args, io);
  return { status, out: io.out.join('\n'), err: io.err.join('\n') };
};

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'rel-scanner-'));
  await osvDir(
    'good',
    ['zlib', 'expat', 'openssl', 'glibc'].map((p, i) => osv(`CVE-2025-000${i}`, p)),
  );
  await osvDir('malformed', ['{', '{"id": 1}', 'not json', '[]']);
  await osvDir('one', [osv('CVE-2025-0009', 'zlib')]);
  await writeFile(
    join(work, 'sbom.json'),
    JSON.stringify({
      spdxVersion: 'SPDX-2.3',
      packages: [
        {
          name: 'zlib1g',
          externalRefs: [
            {
              referenceType: 'purl',
              referenceLocator: 'pkg:deb/debian/zlib1g@1.2-1?arch=amd64&upstream=zlib&distro=debian-12',
            },
          ],
        },
      ],
    }),
  );
  assert.equal((await cli(['db', 'import', 'good'])).status, 0);
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('an import whose documents are all malformed is refused and the database is kept', async () => {
  const before = await readFile(join(work, 'home', 'vuln.db'));
  const r = await cli(['db', 'import', 'malformed']);
  assert.equal(r.status, 3);
  assert.match(r.err, /refusing to import: the sources yielded no OSV records/);
  assert.match(r.err, /4 malformed/);
  assert.match(r.err, /current database \(4 records\) is kept/);
  assert.match(r.err, /--force/);
  assert.deepEqual(await readFile(join(work, 'home', 'vuln.db')), before);
  // The scan still sees the old data.
  const scan = await cli(['scan', 'sbom.json', '--fail-on', 'medium']);
  assert.equal(scan.status, 1);
  assert.match(scan.out, /CVE-2025-0000/);
});

test('an import of far fewer records than the current database is refused unless --force', async () => {
  const before = await readFile(join(work, 'home', 'vuln.db'));
  const r = await cli(['db', 'import', 'one']);
  assert.equal(r.status, 3);
  assert.match(r.err, /1 records would replace 4/);
  assert.deepEqual(await readFile(join(work, 'home', 'vuln.db')), before);
  assert.equal((await cli(['db', 'import', 'good'], 'home-forced')).status, 0);
  const forced = await cli(['db', 'import', 'one', '--force'], 'home-forced');
  assert.equal(forced.status, 0);
  assert.match(forced.out, /imported 1 records/);
});

test('an empty database: scan says so on stderr and --fail-on exits 1', async () => {
  // Forced, the empty import goes through: the scan must then refuse to call the image clean.
  assert.equal((await cli(['db', 'import', 'malformed', '--force'], 'home-empty')).status, 0);
  const plain = await cli(['scan', 'sbom.json'], 'home-empty');
  assert.equal(plain.status, 0);
  assert.match(plain.err, /WARNING: the vulnerability database holds no Debian:12 records/);
  const gated = await cli(['scan', 'sbom.json', '--fail-on', 'medium'], 'home-empty');
  assert.equal(gated.status, 1);
  assert.match(gated.err, /--fail-on medium: there is no vulnerability data to judge sbom.json by/);
  const json = await cli(['scan', 'sbom.json', '--fail-on', 'critical', '--format', 'json'], 'home-empty');
  assert.equal(json.status, 1);
});

test('a stale database: scan warns on stderr but still judges', async () => {
  const old = new Date(NOW.getTime() - 60 * 86_400_000).toISOString();
  await osvDir('old', [osv('CVE-2024-0001', 'zlib', old)]);
  assert.equal((await cli(['db', 'import', 'old'], 'home-stale')).status, 0);
  const r = await cli(['scan', 'sbom.json', '--fail-on', 'high'], 'home-stale');
  assert.equal(r.status, 1);
  assert.match(r.err, /WARNING: the vulnerability database is stale: its newest record is 60 days old/);
  const ok = await cli(['scan', 'sbom.json', '--fail-on', 'critical'], 'home-stale');
  assert.equal(ok.status, 0);
  assert.match(ok.err, /stale/);
});
