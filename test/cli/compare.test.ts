import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CliIO } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { Home, silentLogger } from '../../src/core/index.ts';
import { openEndpoint, parseImageRef } from '../../src/oci/index.ts';
import { OPENVEX_MEDIA_TYPE } from '../../src/vuln/index.ts';
import { writeFixtureDb, writeFixtureImages } from '../compare/fixture-images.ts';

let work: string;
let layout: string;
let out: string[] = [];
let err: string[] = [];

/** Captured IO; `home` picks a home with or without a vulnerability database. */
const io = (home: 'with-db' | 'no-db'): CliIO => ({
  stdout: (t) => out.push(t),
  stderr: (t) => err.push(t),
  log: silentLogger,
  env: { IRONCLAD_HOME: join(work, home) },
  cwd: work,
  isTTY: false,
});

async function run(args: string[], home: 'with-db' | 'no-db' = 'no-db'): Promise<number> {
  out = [];
  err = [];
  return runCli(['compare', ...args], io(home));
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'cli-compare-'));
  layout = await writeFixtureImages(work);
  await writeFixtureDb(work, join(work, 'with-db'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

const ref = (tag: string) => `oci:${layout}:${tag}`;

test('compare prints the text report and exits 0 without --exit-on', async () => {
  assert.equal(await run([ref('new'), '--to', ref('old')]), 0);
  const text = out.join('\n');
  assert.match(text, /^## Overview$/m);
  assert.match(text, /^## Packages and vulnerabilities$/m);
  assert.match(text, /no vulnerability database/);
});

test('--exit-on package exits 1 when packages differ and 0 when they are equal', async () => {
  assert.equal(await run([ref('new'), '--to', ref('old'), '--exit-on', 'package']), 1);
  assert.match(err.join('\n'), /package\(s\) differ/);
  assert.equal(await run([ref('new'), '--to', ref('new'), '--exit-on', 'package']), 0);
});

test('--exit-on vulnerability needs a database, and exits 1 when the target has more', async () => {
  assert.equal(await run([ref('new'), '--to', ref('old'), '--exit-on', 'vulnerability']), 2);
  assert.equal(await run([ref('new'), '--to', ref('old'), '--exit-on', 'vulnerability'], 'with-db'), 1);
  assert.equal(await run([ref('old'), '--to', ref('new'), '--exit-on', 'vulnerability'], 'with-db'), 1, 'low +1');
  assert.equal(await run([ref('new'), '--to', ref('new'), '--exit-on', 'vulnerability'], 'with-db'), 0);
});

test('--format json with --ignore-unchanged', async () => {
  assert.equal(await run([ref('new'), '--to', ref('old'), '--format', 'json', '--ignore-unchanged'], 'with-db'), 0);
  const doc = JSON.parse(out.join('\n')) as { schema: string; packages: { change: string }[] };
  assert.equal(doc.schema, 'https://ironclad.dev/schemas/compare/v1');
  assert.equal(doc.packages.length, 6);
  assert.ok(doc.packages.every((p) => p.change !== 'unchanged'));
});

test('--format markdown renders tables', async () => {
  assert.equal(await run([ref('new'), '--to', ref('old'), '--format', 'markdown']), 0);
  assert.match(out.join('\n'), /^\| --- \| --- \| --- \|$/m);
});

test('usage errors: unknown format, unknown --exit-on condition, missing --to, bad platform', async () => {
  assert.equal(await run([ref('new'), '--to', ref('old'), '--format', 'yaml']), 2);
  assert.equal(await run([ref('new'), '--to', ref('old'), '--exit-on', 'policy']), 2);
  assert.equal(await run([ref('new')]), 2);
  assert.equal(await run([ref('new'), '--to', ref('old'), '--platform', 'amd64']), 2);
});

test('a missing image is reported with exit status 2', async () => {
  assert.equal(await run([ref('nope'), '--to', ref('old')]), 2);
});

test('--help lists the examples', async () => {
  await run(['--help']);
  assert.match(out.join('\n'), /ironclad compare python:3\.11 --to python-conventional:3\.11-conventional/);
});

/** `new` and `old` in a layout of their own, with an OpenVEX document attached to `new` saying not_affected. */
async function layoutWithAttachedVex(): Promise<string> {
  const dir = await writeFixtureImages(join(work, 'with-vex'));
  const endpoint = openEndpoint(parseImageRef(`oci:${dir}:new`), { home: new Home(join(work, 'with-db')) });
  const manifest = (await endpoint.source.resolve()).digest;
  const doc = vexDocument(manifest, 'CVE-2025-0002', 'not_affected');
  await endpoint.referrers.attach({
    artifactType: OPENVEX_MEDIA_TYPE,
    subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifest, ...(await sizeOf(endpoint)) },
    layers: [{ mediaType: OPENVEX_MEDIA_TYPE, bytes: new TextEncoder().encode(JSON.stringify(doc)) }],
  });
  return dir;
}

async function sizeOf(endpoint: ReturnType<typeof openEndpoint>): Promise<{ size: number }> {
  return { size: (await endpoint.source.top()).desc.size };
}

/** An OpenVEX document with one statement about the image `digest` (a bare digest product). */
function vexDocument(digest: string, cve: string, status: string) {
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': `https://example.org/vex/${cve}`,
    author: 'Test maintainers',
    timestamp: '2025-01-02T00:00:00Z',
    version: 1,
    statements: [
      {
        vulnerability: { name: cve },
        products: [{ '@id': digest }],
        status,
        ...(status === 'not_affected' && { justification: 'vulnerable_code_not_present' }),
      },
    ],
  };
}

interface Counts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  total: number;
}
const counts = (c: Counts) => ({ critical: c.critical, high: c.high, medium: c.medium, low: c.low, total: c.total });

async function scanCounts(image: string, extra: string[] = []): Promise<Counts & { suppressed: number }> {
  out = [];
  const status = await runCli(['scan', image, '--format', 'json', ...extra], io('with-db'));
  assert.equal(status, 0);
  return (JSON.parse(out.join('\n')) as { summary: Counts & { suppressed: number } }).summary;
}

test('compare applies the VEX attached to an image as scan does: the same counts, and it says so', async () => {
  const dir = await layoutWithAttachedVex();
  const scanned = await scanCounts(`oci:${dir}:new`);
  assert.equal(scanned.suppressed, 1, 'scan leaves out the not_affected finding');
  assert.equal(await run([`oci:${dir}:new`, '--to', `oci:${dir}:old`, '--format', 'json'], 'with-db'), 0);
  const doc = JSON.parse(out.join('\n')) as {
    target: { vulnerabilities: { counts: Counts; total: number; suppressedByVex: number; vex: string[] } };
    baseline: { vulnerabilities: { suppressedByVex: number; vex: string[] } };
  };
  const t = doc.target.vulnerabilities;
  assert.deepEqual(counts({ ...t.counts, total: t.total }), counts(scanned));
  assert.equal(t.suppressedByVex, 1);
  assert.equal(t.vex.length, 1);
  assert.match(t.vex[0] ?? '', /^attached sha256:[0-9a-f]{64}$/);
  assert.deepEqual(doc.baseline.vulnerabilities.vex, [], 'the VEX is attached to the target only');

  assert.equal(await run([`oci:${dir}:new`, '--to', `oci:${dir}:old`], 'with-db'), 0);
  assert.match(out.join('\n'), /VEX: 1 suppressed, 1 document/);
  assert.match(out.join('\n'), /no VEX/, 'the baseline says it had none');
  assert.equal(await run([`oci:${dir}:new`, '--to', `oci:${dir}:old`, '--format', 'markdown'], 'with-db'), 0);
  assert.match(out.join('\n'), /VEX: 1 suppressed, 1 document/);
});

test('compare --vex FILE is applied to both images, as scan --vex is', async () => {
  const dir = await writeFixtureImages(join(work, 'file-vex'));
  const endpoint = openEndpoint(parseImageRef(`oci:${dir}:new`), { home: new Home(join(work, 'with-db')) });
  const manifest = (await endpoint.source.resolve()).digest;
  await writeFile(join(work, 'triage.json'), JSON.stringify(vexDocument(manifest, 'CVE-2025-0003', 'not_affected')));
  const scanned = await scanCounts(`oci:${dir}:new`, ['--vex', 'triage.json']);
  assert.equal(scanned.suppressed, 1);
  const args = [`oci:${dir}:new`, '--to', `oci:${dir}:old`, '--format', 'json', '--vex', 'triage.json'];
  assert.equal(await run(args, 'with-db'), 0);
  const t = (
    JSON.parse(out.join('\n')) as {
      target: { vulnerabilities: { counts: Counts; total: number; vex: string[]; suppressedByVex: number } };
    }
  ).target.vulnerabilities;
  assert.deepEqual(counts({ ...t.counts, total: t.total }), counts(scanned));
  assert.deepEqual(t.vex, ['triage.json']);
  assert.equal(await run([`oci:${dir}:new`, '--to', `oci:${dir}:old`, '--vex', 'missing.json'], 'with-db'), 2);
});
