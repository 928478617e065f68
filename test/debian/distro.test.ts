import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { listDistros, parseDistroFile } from '../../src/debian/distro.ts';
import { loadDistro } from '../../src/debian/index.ts';

const code = (c: string) => (err: unknown) => isIroncladError(err) && err.code === c;

test('lists the shipped distros', async () => {
  const names = await listDistros();
  assert.ok(names.includes('debian-12'));
  assert.ok(names.includes('debian-13'));
});

test('loads debian-12 with its repositories, os-release and pinned keys', async () => {
  const d = await loadDistro('debian-12');
  assert.equal(d.codename, 'bookworm');
  assert.equal(d.versionId, '12');
  assert.equal(d.osRelease.VERSION_CODENAME, 'bookworm');
  assert.equal(d.osRelease.ID, 'debian');
  assert.deepEqual(
    d.repositories.map((r) => [r.role, r.url, r.suites]),
    [
      ['archive', 'https://deb.debian.org/debian', ['bookworm', 'bookworm-updates']],
      ['security', 'https://deb.debian.org/debian-security', ['bookworm-security']],
    ],
  );
  assert.ok(d.signingKeys.some((k) => k.fingerprint === 'B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8'));
  assert.ok(d.signingKeys.every((k) => /^[0-9A-F]{40}$/.test(k.fingerprint)));
  assert.equal(d.checkValidUntil, true);
});

test('mirror overrides replace URLs by role', async () => {
  const d = await loadDistro('debian-13', {
    mirror: 'http://mirror.example/debian/',
    securityMirror: 'https://sec.example/ds',
  });
  assert.deepEqual(
    d.repositories.map((r) => r.url),
    ['http://mirror.example/debian', 'https://sec.example/ds'],
  );
  await assert.rejects(loadDistro('debian-13', { mirror: 'ftp://x/' }), code('USAGE'));
});

test('a snapshot rewrites URLs to snapshot.debian.org and turns off the Valid-Until check', async () => {
  const d = await loadDistro('debian-12', { snapshot: '20250520T000000Z', mirror: 'http://ignored.example' });
  assert.deepEqual(
    d.repositories.map((r) => r.url),
    [
      'https://snapshot.debian.org/archive/debian/20250520T000000Z',
      'https://snapshot.debian.org/archive/debian-security/20250520T000000Z',
    ],
  );
  assert.equal(d.checkValidUntil, false);
  assert.equal(d.snapshot, '20250520T000000Z');
  await assert.rejects(loadDistro('debian-12', { snapshot: '2025-05-20' }), code('USAGE'));
});

test('unknown and unsafe names', async () => {
  await assert.rejects(loadDistro('debian-99'), code('NOT_FOUND'));
  await assert.rejects(loadDistro('../etc/passwd'), code('USAGE'));
});

test('invalid distro files are DEFINITION_INVALID', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ironclad-distros-'));
  try {
    await writeFile(join(dir, 'broken.yaml'), 'name: broken\ncodename: [\n');
    await assert.rejects(loadDistro('broken', { dir }), code('DEFINITION_INVALID'));
    await writeFile(join(dir, 'other.yaml'), 'name: not-other\n');
    await assert.rejects(loadDistro('other', { dir }), code('DEFINITION_INVALID'));
    assert.deepEqual(await listDistros(dir), ['broken', 'other']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const base = {
    name: 'x',
    codename: 'x',
    'version-id': '1',
    'os-release': { ID: 'd', NAME: 'n', VERSION_ID: '1', VERSION_CODENAME: 'x', VERSION: '1', PRETTY_NAME: 'p' },
    repositories: [{ role: 'archive', url: 'https://a.example', suites: ['x'], components: ['main'] }],
    'signing-keys': [{ fingerprint: 'ab'.repeat(20), description: 'k' }],
  };
  const parsed = parseDistroFile(JSON.stringify(base), 'x');
  assert.equal(parsed.keyring, '/usr/share/keyrings/debian-archive-keyring.gpg');
  assert.equal(parsed['signing-keys'][0]!.fingerprint, 'AB'.repeat(20));
  for (const bad of [
    { ...base, 'signing-keys': [{ fingerprint: 'abc', description: 'k' }] },
    { ...base, repositories: [] },
    { ...base, unknown: true },
    { ...base, repositories: [{ ...base.repositories[0], suites: ['../x'] }] },
  ]) {
    assert.throws(() => parseDistroFile(JSON.stringify(bad), 'x'), code('DEFINITION_INVALID'));
  }
});
