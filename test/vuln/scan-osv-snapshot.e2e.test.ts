import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext, Home } from '../../src/core/index.ts';
import { dbStatus, importOsv, openVulnDb, type ScanPackage, scanPackages, type VulnDb } from '../../src/vuln/index.ts';

// The whole OSV Debian snapshot (2025-02-12, 44k records): the import at full size and a few facts the small
// fixture of scan.test.ts is modelled on, checked against the real data.
const DATA = resolve(import.meta.dirname, '../../..', 'shared', 'data', 'osv-debian-2025-02-12.tar.xz');

let home: string;
let db: VulnDb;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'vuln-snapshot-'));
  await importOsv([DATA], createContext({ home }));
  db = openVulnDb(new Home(home));
});

after(async () => {
  db?.close();
  await rm(home, { recursive: true, force: true });
});

const pkg = (name: string, version: string, sourceName: string): ScanPackage => ({
  name,
  version,
  sourceName,
  sourceVersion: version,
  purl: `pkg:deb/debian/${name}@${encodeURIComponent(version)}?arch=amd64&distro=debian-12`,
  type: 'deb',
});

test('the snapshot imports whole and matches what the unit fixture says about it', () => {
  const status = dbStatus(createContext({ home, now: () => new Date('2025-02-14T00:00:00Z') }));
  assert.ok((status.ecosystems.find((e) => e.ecosystem === 'Debian:12')?.records ?? 0) > 30000);
  const result = scanPackages(
    [pkg('libssl3', '3.0.14-1~deb12u2', 'openssl'), pkg('zlib1g', '1:1.2.13.dfsg-1', 'zlib')],
    { id: 'debian', versionId: '12' },
    db,
  );
  const find = (id: string) => result.findings.find((f) => f.id === id);
  assert.equal(find('CVE-2024-5535')?.fixedVersion, '3.0.15-1~deb12u1');
  assert.equal(find('CVE-2024-6119'), undefined);
  assert.equal(find('CVE-2023-45853')?.severity, 'critical');
  assert.equal(find('CVE-2023-45853')?.fixedVersion, null);
});
