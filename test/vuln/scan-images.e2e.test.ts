import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runCli } from '../../src/cli/main.ts';
import { createContext } from '../../src/core/context.ts';
import { loadDefinition, writeLockfile } from '../../src/definition/index.ts';
import { buildImages, planLock } from '../../src/image/index.ts';
import { ociPurl } from '../../src/sbom/index.ts';
import { importOsv } from '../../src/vuln/index.ts';
import { captureIO } from '../support/cli-io.ts';
import { buildDebianSystemImage, installedVersions } from '../support/debian-system-image.ts';

// Needs root (mmdebstrap) and the real Debian archive. Scans real images against the shared OSV Debian snapshot of
// 2025-02-12. Today's bookworm is newer than that snapshot, so every CVE the snapshot fixes is fixed in the image
// too: what remains are the CVEs Debian had no fix for on that day, which is what these tests pin.

const REPO = resolve(import.meta.dirname, '../..');
const DATA = resolve(REPO, '..', 'shared', 'data', 'osv-debian-2025-02-12.tar.xz');
const pexec = promisify(execFile);

interface FindingJson {
  id: string;
  sourceName: string;
  packages: string[];
  purls: string[];
  installedVersion: string;
  fixedVersion: string | null;
  severity: string;
  vex?: { status: string; justification?: string; actionStatement?: string };
}
interface ReportJson {
  target: { imageDigest: string | null };
  summary: Record<string, number>;
  findings: FindingJson[];
  suppressed: FindingJson[];
}

let work: string;
let home: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'vuln-images-'));
  home = join(work, 'home');
  await importOsv([DATA], createContext({ home }));
});
after(async () => rm(work, { recursive: true, force: true }));

/** Runs `ironclad ARGS` in-process against the test's IRONCLAD_HOME. */
async function cli(args: readonly string[]): Promise<{ status: number; out: string; err: string }> {
  const io = captureIO(work, { IRONCLAD_HOME: home });
  const status = await runCli(args, io);
  return { status, out: io.out.join('\n'), err: io.err.join('\n') };
}

async function scanJson(ref: string, ...extra: string[]): Promise<ReportJson> {
  const r = await cli(['scan', ref, '--format', 'json', ...extra]);
  assert.equal(r.status, 0, r.err);
  return JSON.parse(r.out) as ReportJson;
}

/** The table format's last line: counts by severity, then totals. */
async function summaryOf(ref: string, ...extra: string[]): Promise<{ status: number; line: string }> {
  const r = await cli(['scan', ref, ...extra]);
  return { status: r.status, line: r.out.trim().split('\n').at(-1) ?? '' };
}

const find = (list: readonly FindingJson[], id: string) => list.find((f) => f.id === id);
const key = (f: FindingJson) => `${f.id} ${f.sourceName}`;

const NOT_ROOT = process.getuid?.() !== 0 && 'needs root for mmdebstrap';

describe('scanning a conventional Debian 12 image (mmdebstrap --variant=apt)', { skip: NOT_ROOT }, () => {
  let ref: string;
  let installed: Map<string, string>;
  let base: ReportJson;

  before(async () => {
    const image = await buildDebianSystemImage(join(work, 'bookworm'));
    ref = `oci:${image.layout}:${image.tag}`;
    installed = await installedVersions(image.rootfs);
    base = await scanJson(ref);
  });

  test('finds the CVEs Debian 12 had no fix for, at the installed versions', async () => {
    // zlib's minizip overflow, perl's CPAN.pm TLS default and glibc's assert() overflow: all "no fix yet" for
    // bookworm in the snapshot, all in packages every apt-variant system has.
    const expected = [
      { id: 'CVE-2023-45853', source: 'zlib', binary: 'zlib1g', severity: 'critical' },
      { id: 'CVE-2023-31484', source: 'perl', binary: 'perl-base', severity: 'high' },
      { id: 'CVE-2025-0395', source: 'glibc', binary: 'libc6', severity: 'unknown' },
      { id: 'CVE-2024-10041', source: 'pam', binary: 'libpam-modules', severity: 'medium' },
    ];
    for (const e of expected) {
      const f = find(base.findings, e.id);
      assert.ok(f, `${e.id} not found`);
      assert.equal(f.sourceName, e.source);
      assert.ok(f.packages.includes(e.binary), `${e.id}: ${f.packages.join(',')}`);
      assert.equal(f.fixedVersion, null, `${e.id} has no fixed version for Debian 12 in the data`);
      assert.equal(f.severity, e.severity);
      // The installed source version is the one dpkg reports for the binary (none of these is a binNMU).
      assert.equal(f.installedVersion, installed.get(e.binary));
    }
  });

  test('every finding with a fixed version is older than that version by dpkg’s own comparison', async () => {
    const fixed = base.findings.filter((f) => f.fixedVersion !== null);
    for (const f of fixed) {
      // dpkg --compare-versions exits 0 when the relation holds.
      await pexec('dpkg', ['--compare-versions', f.installedVersion, 'lt', f.fixedVersion as string]);
    }
    console.log(`bookworm: ${base.findings.length} findings, ${fixed.length} with a fixed version in the data`);
  });

  test('a VEX not_affected statement removes exactly that finding', async () => {
    const zlib = find(base.findings, 'CVE-2023-45853');
    assert.ok(zlib?.purls[0] !== undefined && base.target.imageDigest !== null);
    const vexFile = join(work, 'bookworm.openvex.json');
    const created = await cli([
      'vex',
      'create',
      '--vuln',
      'CVE-2023-45853',
      '--product',
      ociPurl('bookworm', base.target.imageDigest),
      '--subcomponent',
      zlib.purls[0],
      '--status',
      'not_affected',
      '--justification',
      'vulnerable_code_not_present',
      '--author',
      'security@example.org',
      '--output',
      vexFile,
    ]);
    assert.equal(created.status, 0, created.err);

    const withVex = await scanJson(ref, '--vex', vexFile);
    assert.deepEqual(withVex.suppressed.map(key), ['CVE-2023-45853 zlib']);
    assert.equal(withVex.suppressed[0]?.vex?.status, 'not_affected');
    assert.deepEqual(
      withVex.findings.map(key),
      base.findings.map(key).filter((k) => k !== 'CVE-2023-45853 zlib'),
    );
    assert.equal(withVex.summary.critical, (base.summary.critical ?? 0) - 1);
  });

  test('--fail-on high exits 1, and the summary is printed', async () => {
    const failing = await summaryOf(ref, '--fail-on', 'high');
    console.log(`bookworm (mmdebstrap): ${failing.line}`);
    assert.equal(failing.status, 1);
    const c = base.summary;
    assert.ok(
      failing.line.startsWith(`${c.critical}C ${c.high}H ${c.medium}M ${c.low}L ${c.negligible}N ${c.unknown}?`),
    );
    assert.equal((await summaryOf(ref, '--fail-on', 'critical', '--ignore-unfixed')).status, 0);
  });
});

describe('scanning the python runtime image', () => {
  let ref: string;

  before(async () => {
    const def = join(work, 'python-def');
    await mkdir(def);
    for (const f of ['image.yaml', 'advisories.yaml']) await copyFile(join(REPO, 'images/python', f), join(def, f));
    const ctx = createContext({ home });
    const loaded = await loadDefinition(def);
    const plan = await planLock(loaded, { platforms: ['linux/amd64'], variant: 'runtime' }, ctx);
    await writeLockfile(loaded.dir, plan.lock);
    const out = join(work, 'python-out');
    await buildImages(loaded, plan.lock, { out, test: false, variant: 'runtime', platforms: ['linux/amd64'] }, ctx);
    // One platform: the `3.11` index resolves to the amd64 manifest, the subject of its VEX referrer.
    ref = `oci:${out}:3.11`;
  });

  test('its advisories VEX, stored beside the image, suppresses CVE-2023-45853 and CVE-2023-52425', async () => {
    const report = await scanJson(ref);
    assert.equal(find(report.findings, 'CVE-2023-45853'), undefined);
    const zlib = find(report.suppressed, 'CVE-2023-45853');
    assert.ok(zlib, 'the zlib CVE is neither found nor suppressed');
    assert.deepEqual(zlib.vex, { ...zlib.vex, status: 'not_affected', justification: 'vulnerable_code_not_present' });
    // `fixed` (the Debian changelog names the fix; the data predates it) suppresses too.
    const expat = find(report.suppressed, 'CVE-2023-52425');
    assert.equal(expat?.vex?.status, 'fixed');
    // An `affected` advisory keeps the finding active and carries the maintainers' action.
    const ncurses = find(report.findings, 'CVE-2023-50495');
    assert.equal(ncurses?.vex?.status, 'affected');
    assert.match(ncurses.vex.actionStatement ?? '', /untrusted/);
    const summary = await summaryOf(ref);
    console.log(`python 3.11 runtime: ${summary.line}`);
    assert.equal(summary.status, 0);
  });
});
