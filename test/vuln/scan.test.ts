import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { Home } from '../../src/core/index.ts';
import {
  buildStatement,
  createVexDocument,
  dbStatus,
  exceedsThreshold,
  type Finding,
  importOsv,
  openVulnDb,
  type ScanPackage,
  scanPackages,
  type VulnDb,
} from '../../src/vuln/index.ts';
import { BOOKWORM_2025_02, writeOsvTree } from '../support/osv-fixture.ts';

// A small OSV tree with the facts of the 2025-02-12 Debian snapshot for these packages (support/osv-fixture.ts);
// the whole snapshot is scan-osv-snapshot.e2e.test.ts's.
const BOOKWORM = { id: 'debian', versionId: '12' };
const IMAGE_DIGEST = `sha256:${'ab'.repeat(32)}`;

function deb(name: string, version: string, sourceName = name, sourceVersion = version): ScanPackage {
  const upstream = sourceName === name ? '' : `&upstream=${encodeURIComponent(`${sourceName}@${sourceVersion}`)}`;
  return {
    name,
    version,
    arch: 'amd64',
    sourceName,
    sourceVersion,
    purl: `pkg:deb/debian/${name}@${encodeURIComponent(version).replace(/%2B/g, '+')}?arch=amd64${upstream}&distro=debian-12`,
    type: 'deb',
  };
}

// A conventional Debian 12 base as of early 2025, with openssl one update behind.
const PACKAGES: ScanPackage[] = [
  deb('libc6', '2.36-9+deb12u9', 'glibc'),
  deb('libc-bin', '2.36-9+deb12u9', 'glibc'),
  deb('libssl3', '3.0.14-1~deb12u2', 'openssl'),
  deb('openssl', '3.0.14-1~deb12u2'),
  deb('zlib1g', '1:1.2.13.dfsg-1', 'zlib'),
  deb('tzdata', '2024b-0+deb12u1'),
  deb('ca-certificates', '20230311'),
  deb('libgcc-s1', '12.2.0-14', 'gcc-12'),
  deb('libstdc++6', '12.2.0-14', 'gcc-12'),
  deb('libsqlite3-0', '3.40.1-2+deb12u1', 'sqlite3'),
  deb('libexpat1', '2.5.0-1', 'expat'),
  // A binNMU: binary version differs from the source version matched against.
  deb('libzstd1', '1.5.4+dfsg2-5+b1', 'libzstd', '1.5.4+dfsg2-5'),
  {
    name: 'left-pad',
    version: '1.3.0',
    sourceName: 'left-pad',
    sourceVersion: '1.3.0',
    purl: 'pkg:npm/left-pad@1.3.0',
    type: 'npm',
  },
];

let home: string;
let db: VulnDb;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'vuln-scan-'));
  await importOsv([await writeOsvTree(join(home, 'osv'))], createContext({ home }));
  db = openVulnDb(new Home(home));
});

after(async () => {
  db?.close();
  await rm(home, { recursive: true, force: true });
});

const byId = (findings: readonly Finding[], id: string, source?: string) =>
  findings.find((f) => f.id === id && (source === undefined || f.sourceName === source));

test('known bookworm CVEs are found with the right fixed version, by source package', () => {
  const result = scanPackages(PACKAGES, BOOKWORM, db);
  assert.equal(result.ecosystem, 'Debian:12');
  assert.equal(result.packagesScanned, PACKAGES.length);
  assert.equal(result.packagesNotCovered, 1);

  const ossl = byId(result.findings, 'CVE-2024-5535', 'openssl');
  assert.ok(ossl);
  assert.equal(ossl.fixedVersion, '3.0.15-1~deb12u1');
  assert.equal(ossl.installedVersion, '3.0.14-1~deb12u2');
  assert.deepEqual(ossl.packages, ['libssl3', 'openssl']);
  assert.equal(byId(result.findings, 'CVE-2024-9143')?.fixedVersion, '3.0.15-1~deb12u1');
  // Fixed in 3.0.14-1~deb12u2 itself: not reported, nor its advisory.
  assert.equal(byId(result.findings, 'CVE-2024-6119'), undefined);
  assert.equal(byId(result.findings, 'DSA-5764-1'), undefined);

  const zlib = byId(result.findings, 'CVE-2023-45853');
  assert.ok(zlib);
  assert.equal(zlib.fixedVersion, null, 'unfixed in bookworm at snapshot time');
  assert.equal(zlib.urgency, 'not yet assigned');
  assert.equal(zlib.severity, 'critical');
  assert.equal(zlib.severitySource, 'cvss');
  assert.equal(zlib.cvssScore, 9.8);

  const glibc = byId(result.findings, 'CVE-2025-0395');
  assert.ok(glibc);
  assert.equal(glibc.fixedVersion, null);
  assert.deepEqual(glibc.packages, ['libc-bin', 'libc6']);
  const unimportant = byId(result.findings, 'CVE-2010-4756');
  assert.equal(unimportant?.severity, 'negligible');
  assert.equal(unimportant?.severitySource, 'debian-urgency');
});

test('an advisory naming a found CVE is folded into it, not reported twice', () => {
  const result = scanPackages([deb('libssl3', '3.0.14-1~deb12u1', 'openssl')], BOOKWORM, db);
  const f = byId(result.findings, 'CVE-2024-6119');
  assert.ok(f);
  assert.equal(f.fixedVersion, '3.0.14-1~deb12u2');
  assert.deepEqual(f.dataSources, ['CVE-2024-6119', 'DSA-5764-1']);
  assert.ok(f.aliases.includes('DSA-5764-1'));
  assert.equal(byId(result.findings, 'DSA-5764-1'), undefined);
});

test('a fully patched package has no fixable findings; --ignore-unfixed drops the unfixed ones', () => {
  const patched = [deb('libssl3', '3.0.15-1~deb12u1', 'openssl')];
  const all = scanPackages(patched, BOOKWORM, db).findings;
  assert.ok(all.length > 0);
  assert.ok(all.every((f) => f.fixedVersion === null));
  assert.ok(byId(all, 'CVE-2024-13176'));
  assert.deepEqual(scanPackages(patched, BOOKWORM, db, { ignoreUnfixed: true }).findings, []);
});

test('a VEX not_affected statement removes exactly that finding and keeps it as suppressed', () => {
  const now = new Date('2025-02-13T00:00:00Z');
  const vex = createVexDocument(
    { author: 'security@example.org' },
    [
      buildStatement(
        {
          vulnerability: 'CVE-2023-45853',
          products: [`pkg:oci/base@${encodeURIComponent(IMAGE_DIGEST)}`],
          subcomponents: ['pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1'],
          status: 'not_affected',
          justification: 'vulnerable_code_not_present',
        },
        now,
      ),
    ],
    now,
  );
  const plain = scanPackages(PACKAGES, BOOKWORM, db, { imageDigest: IMAGE_DIGEST });
  const withVex = scanPackages(PACKAGES, BOOKWORM, db, { imageDigest: IMAGE_DIGEST, vex: [vex] });
  assert.deepEqual(
    withVex.findings,
    plain.findings.filter((f) => f.id !== 'CVE-2023-45853'),
  );
  assert.equal(withVex.suppressed.length, 1);
  assert.equal(withVex.suppressed[0]?.vex?.justification, 'vulnerable_code_not_present');
  assert.equal(withVex.suppressed[0]?.vex?.author, 'security@example.org');
  // Another image digest: the statement is not about this image.
  const other = scanPackages(PACKAGES, BOOKWORM, db, { imageDigest: `sha256:${'cd'.repeat(32)}`, vex: [vex] });
  assert.equal(other.suppressed.length, 0);
});

test('--fail-on compares the highest remaining severity with the threshold', () => {
  const result = scanPackages(PACKAGES, BOOKWORM, db);
  assert.equal(exceedsThreshold(result, 'critical'), true);
  assert.equal(exceedsThreshold(result, 'low'), true);
  assert.equal(exceedsThreshold(result, undefined), false);
  const quiet = scanPackages([deb('ca-certificates', '20230311')], BOOKWORM, db);
  assert.equal(quiet.findings.length, 0);
  assert.equal(exceedsThreshold(quiet, 'low'), false);
});

test('other distributions are not covered and yield no findings', () => {
  const result = scanPackages(PACKAGES, { id: 'ubuntu', versionId: '24.04' }, db);
  assert.equal(result.ecosystem, null);
  assert.deepEqual(result.findings, []);
  assert.equal(result.packagesNotCovered, PACKAGES.length);
});

test('db status reports counts per ecosystem and flags data older than 7 days', () => {
  const fresh = dbStatus(createContext({ home, now: () => new Date('2025-02-14T00:00:00Z') }));
  assert.equal(fresh.stale, false);
  const debian12 = BOOKWORM_2025_02.filter((r) => r.affected.some((a) => a.ecosystem === 'Debian:12')).length;
  assert.equal(fresh.ecosystems.find((e) => e.ecosystem === 'Debian:12')?.records, debian12);
  assert.ok(!fresh.ecosystems.some((e) => e.ecosystem.startsWith('Alpine')));
  const old = dbStatus(createContext({ home, now: () => new Date('2025-03-14T00:00:00Z') }));
  assert.equal(old.stale, true);
  assert.ok((old.ageDays ?? 0) > 7);
  assert.equal(old.warnings.length, 1);
});
