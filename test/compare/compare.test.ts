import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  type CompareResult,
  compareImages,
  exitOnReasons,
  renderCompareJson,
  renderCompareMarkdown,
  renderCompareText,
} from '../../src/compare/index.ts';
import { COMPARE_SCHEMA } from '../../src/compare/types.ts';
import { createContext } from '../../src/core/context.ts';
import { Home, type IroncladError } from '../../src/core/index.ts';
import { openEndpoint, parseImageRef } from '../../src/oci/index.ts';
import { openVulnDb } from '../../src/vuln/index.ts';
import { writeFixtureDb, writeFixtureImages } from './fixture-images.ts';

let work: string;
let layout: string;
let home: string;
let withDb: CompareResult;
let withoutDb: CompareResult;

const source = (tag: string) => openEndpoint(parseImageRef(`oci:${layout}:${tag}`), { home: new Home(home) });

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'compare-'));
  home = join(work, 'home');
  layout = await writeFixtureImages(work);
  await writeFixtureDb(work, home);
  const ctx = createContext({ home: new Home(home) });
  const db = openVulnDb(new Home(home));
  try {
    withDb = await compareImages(source('new'), source('old'), { db }, ctx);
  } finally {
    db.close();
  }
  withoutDb = await compareImages(source('new'), source('old'), {}, ctx);
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('overview: refs, tags, platform, provenance, sizes and counts of both sides', () => {
  const { target: t, baseline: b, delta } = withDb;
  assert.equal(withDb.schema, COMPARE_SCHEMA);
  assert.equal(t.tag, 'new');
  assert.equal(b.tag, 'old');
  assert.equal(t.platform, 'linux/amd64');
  assert.match(t.digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(t.digest, t.manifestDigest, 'a single manifest is its own top-level digest');
  assert.deepEqual(t.provenance, {
    source: 'https://example.org/images',
    revision: 'abc123',
    ironclad: { 'dev.ironclad.kind': 'hardened' },
  });
  assert.deepEqual(b.provenance?.ironclad, { 'dev.ironclad.kind': 'reference' });
  assert.equal(t.packageCount, 5);
  assert.equal(b.packageCount, 5, 'the deinstalled libfoo is not counted');
  assert.equal(t.layers, 1);
  assert.equal(b.layers, 2);
  assert.equal(delta.layers, -1);
  assert.equal(delta.compressedSize, t.compressedSize - b.compressedSize);
  assert.deepEqual(t.distro, { id: 'debian', versionId: '12' });
  assert.equal(t.user, '65532:65532');
});

test('vulnerability counts per side and their delta', () => {
  const { target: t, baseline: b, delta } = withDb;
  assert.ok(t.vulnerabilities.available && b.vulnerabilities.available);
  assert.equal(t.vulnerabilities.counts.high, 1);
  assert.equal(t.vulnerabilities.counts.medium, 1);
  assert.equal(t.vulnerabilities.total, 2);
  assert.equal(b.vulnerabilities.counts.low, 1);
  assert.equal(b.vulnerabilities.total, 1);
  assert.deepEqual(delta.vulnerabilities, {
    critical: 0,
    high: 1,
    medium: 1,
    low: -1,
    negligible: 0,
    unknown: 0,
    total: 1,
  });
});

test('without a database the counts are unavailable, with a reason', () => {
  assert.equal(withoutDb.target.vulnerabilities.available, false);
  assert.ok(!withoutDb.target.vulnerabilities.available && withoutDb.target.vulnerabilities.reason.length > 0);
  assert.equal(withoutDb.delta.vulnerabilities, null);
  assert.ok(withoutDb.packages.every((p) => (p.target ?? p.baseline)?.vulnerabilities === null));
  assert.throws(
    () => exitOnReasons(withoutDb, ['vulnerability']),
    (e: IroncladError) => e.code === 'USAGE',
  );
});

test('attack surface of both sides and the delta (whiteouts applied)', () => {
  const { target, baseline, delta } = withDb.attackSurface;
  assert.deepEqual(target.shells, []);
  assert.deepEqual(
    baseline.shells.map((s) => [s.name, s.path]),
    [
      ['bash', '/bin/bash'],
      ['sh', '/bin/sh'],
    ],
  );
  assert.deepEqual(
    baseline.packageManagers.map((p) => p.name),
    ['apt-get'],
    'dpkg was deleted by a whiteout in the second layer',
  );
  assert.deepEqual(
    baseline.setuidFiles.map((f) => [f.path, f.mode, f.setuid, f.setgid]),
    [
      ['/usr/bin/chage', '2755', false, true],
      ['/usr/bin/su', '4755', true, false],
    ],
  );
  assert.deepEqual(baseline.loginUsers, [{ name: 'root', uid: 0, shell: '/bin/bash' }]);
  assert.deepEqual(target.loginUsers, []);
  assert.deepEqual(baseline.worldWritableDirs, [
    { path: '/srv/data', sticky: false },
    { path: '/tmp', sticky: true },
  ]);
  assert.equal(target.executables, 1);
  assert.equal(baseline.executables, 4);
  assert.equal(delta.executables, -3);
  assert.deepEqual(
    delta.shells.removed.map((s) => s.name),
    ['bash', 'sh'],
  );
  assert.deepEqual(delta.shells.added, []);
  assert.equal(delta.setuidFiles.removed.length, 2);
  assert.deepEqual(delta.worldWritableDirs.removed, [{ path: '/srv/data', sticky: false }]);
});

test('package diff markers and per-package vulnerabilities', () => {
  assert.deepEqual(
    withDb.packages.map((p) => [p.name, p.change]),
    [
      ['base-files', 'unchanged'],
      ['bash', 'removed'],
      ['curl', 'added'],
      ['libgone', 'removed'],
      ['libssl3', 'added'],
      ['tzdata', 'downgraded'],
      ['zlib1g', 'upgraded'],
    ],
  );
  const zlib = withDb.packages.find((p) => p.name === 'zlib1g');
  assert.equal(zlib?.target?.version, '1:1.3-1');
  assert.equal(zlib?.baseline?.version, '1:1.2.13.dfsg-1');
  assert.equal(zlib?.target?.sourceName, 'zlib');
  assert.equal(zlib?.baseline?.vulnerabilities?.low, 1);
  assert.equal(zlib?.target?.vulnerabilities?.low, 0);
  assert.equal(withDb.packages.find((p) => p.name === 'libssl3')?.target?.vulnerabilities?.high, 1);
});

test('environment and label diffs', () => {
  assert.deepEqual(
    withDb.environment.map((e) => [e.key, e.change]),
    [
      ['LANG', 'removed'],
      ['PATH', 'changed'],
      ['SSL_CERT_FILE', 'added'],
    ],
  );
  assert.deepEqual(
    withDb.labels.map((l) => [l.key, l.change]),
    [
      ['dev.ironclad.kind', 'changed'],
      ['org.opencontainers.image.revision', 'added'],
      ['org.opencontainers.image.source', 'added'],
      ['org.opencontainers.image.title', 'removed'],
    ],
  );
});

test('the JSON rendering has the documented shape and round-trips', () => {
  const doc = JSON.parse(renderCompareJson(withDb)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(doc), [
    'schema',
    'target',
    'baseline',
    'delta',
    'attackSurface',
    'environment',
    'labels',
    'packages',
    'files',
  ]);
  assert.deepEqual(doc, JSON.parse(JSON.stringify(withDb)));
  const changed = JSON.parse(renderCompareJson(withDb, { ignoreUnchanged: true })) as CompareResult;
  assert.ok(!changed.packages.some((p) => p.change === 'unchanged'));
  assert.equal(changed.packages.length, 6);
});

test('markdown renders GitHub tables; text shows markers and deltas', () => {
  const md = renderCompareMarkdown(withDb);
  assert.match(md, /^\| {2}\| Target \| Baseline \|$/m);
  assert.match(md, /^\| --- \| --- \| --- \|$/m);
  assert.match(md, /^\| ↑ \| `zlib1g` \| deb \| 1:1\.3-1 \| 1:1\.2\.13\.dfsg-1 \| 0 \| 1L \|$/m);
  assert.match(md, /^\| - \| `bash` \|/m);
  assert.match(md, /^\| Provenance \| https:\/\/example\.org\/images@abc123 \(ironclad hardened\) \|/m);
  const text = renderCompareText(withDb);
  assert.match(text, /^## Overview$/m);
  assert.match(text, /packages\s+5\s+5/);
  assert.match(text, /^\s+- shell: \/bin\/bash$/m);
  assert.match(text, /^\s+\+ SSL_CERT_FILE=\/etc\/ssl\/certs\/ca-certificates\.crt$/m);
  assert.match(text, /^\s+↓\s+tzdata\s+deb\s+2024a-0\+deb12u1\s+2024b-0\+deb12u1/m);
  assert.match(text, /^\s+base-files/m);
  assert.doesNotMatch(renderCompareText(withDb, { ignoreUnchanged: true }), /^\s+base-files/m);
});

test('comparing an image with itself shows no differences', async () => {
  const same = await compareImages(source('new'), source('new'), {}, createContext({ home }));
  assert.ok(same.packages.every((p) => p.change === 'unchanged'));
  assert.ok(same.environment.every((e) => e.change === 'unchanged'));
  assert.equal(same.delta.compressedSize, 0);
  assert.deepEqual(exitOnReasons(same, ['package']), []);
  assert.deepEqual(same.files, { added: [], removed: [], changed: [] });
});

test('the same endpoint on both sides is read once and reports what two readings of the image report', async () => {
  const one = source('new');
  const once = await compareImages(one, one, { vex: [] }, createContext({ home }));
  const twice = await compareImages(source('new'), source('new'), { vex: [] }, createContext({ home }));
  assert.deepEqual(once, twice);
});

test('files: a file with the same size, mode and owner but other bytes is changed; equal bytes are not', () => {
  const changed = withDb.files.changed.map((c) => c.path);
  assert.ok(!changed.includes('/etc/os-release'), 'the same bytes in another layer blob');
  const motd = withDb.files.changed.find((c) => c.path === '/etc/motd');
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  assert.deepEqual(motd, {
    path: '/etc/motd',
    target: { path: '/etc/motd', type: 'file', mode: '0644', owner: '0:0', size: 6, sha256: sha('jello\n') },
    baseline: { path: '/etc/motd', type: 'file', mode: '0644', owner: '0:0', size: 6, sha256: sha('hello\n') },
  });
  assert.deepEqual(changed, [...changed].sort(), 'sorted by path');
  assert.match(renderCompareText(withDb), /^ {2}~ \/etc\/motd \(content sha256:[0-9a-f]{12} → sha256:[0-9a-f]{12}\)$/m);
});
