/**
 * Vulnerability database and scan benchmark on the shared OSV Debian snapshot:
 *   node --import tsx bench/scan.ts
 * Prints the import time (target < 60 s), one warm scan of ~400 packages (target < 500 ms) and
 * 100 scans in one process, with the ratio of the average scan to the single warm scan.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { createContext } from '../src/core/context.ts';
import { Home } from '../src/core/index.ts';
import { importOsv, openVulnDb, type ScanPackage, scanPackages } from '../src/vuln/index.ts';

const repoRoot = resolve(import.meta.dirname, '..');
const DATA = resolve(repoRoot, '..', 'shared', 'data', 'osv-debian-2025-02-12.tar.xz');
const BOOKWORM = { id: 'debian', versionId: '12' };

/** The first `n` source packages with bookworm records (a side query, outside what is measured). */
function sourceNames(home: string, n: number): string[] {
  const raw = new Database(join(home, 'vuln.db'), { readonly: true });
  try {
    const rows = raw
      .prepare("SELECT DISTINCT package FROM affected WHERE ecosystem = 'Debian:12' ORDER BY package LIMIT ?")
      .all(n) as { package: string }[];
    return rows.map((r) => r.package);
  } finally {
    raw.close();
  }
}

const home = await mkdtemp(join(tmpdir(), 'bench-vuln-'));
try {
  let t = performance.now();
  const imported = await importOsv([DATA], createContext({ home }));
  const importMs = performance.now() - t;
  console.log(`import: ${imported.records} records in ${importMs.toFixed(0)} ms (target < 60000 ms)`);

  // Version 0.1-1 is below nearly every fix, so each package yields its full list of findings.
  const packages: ScanPackage[] = sourceNames(home, 400).map((n) => ({
    name: n,
    version: '0.1-1',
    sourceName: n,
    sourceVersion: '0.1-1',
    purl: `pkg:deb/debian/${n}@0.1-1`,
    type: 'deb',
  }));
  const db = openVulnDb(new Home(home));
  try {
    scanPackages(packages, BOOKWORM, db); // warm-up: statement preparation, page cache, JIT
    t = performance.now();
    const one = scanPackages(packages, BOOKWORM, db);
    const warmMs = performance.now() - t;
    console.log(
      `scan: ${packages.length} packages, ${one.findings.length} findings in ${warmMs.toFixed(1)} ms (target < 500 ms)`,
    );
    t = performance.now();
    for (let i = 0; i < 100; i++) scanPackages(packages, BOOKWORM, db);
    const each = (performance.now() - t) / 100;
    console.log(`100 scans: ${each.toFixed(1)} ms each, ${(each / warmMs).toFixed(2)}x the single warm scan`);
  } finally {
    db.close();
  }
} finally {
  await rm(home, { recursive: true, force: true });
}
