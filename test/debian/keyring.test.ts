import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as openpgp from 'openpgp';
import { isIroncladError } from '../../src/core/index.ts';
import { loadTrustedKeys, normalizeFingerprint, trustedKeysFrom } from '../../src/debian/keyring.ts';

let dir: string;
let a: openpgp.PrivateKey;
let b: openpgp.PrivateKey;
const fp = (k: openpgp.PrivateKey) => k.getFingerprint().toUpperCase();
const untrusted = (err: unknown) => isIroncladError(err, 'ARCHIVE_UNTRUSTED');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ironclad-keyring-'));
  const gen = (name: string) =>
    openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name }], format: 'object' });
  [a, b] = [(await gen('A')).privateKey, (await gen('B')).privateKey];
});
after(() => rm(dir, { recursive: true, force: true }));

test('keeps only pinned keys from a binary keyring', async () => {
  const path = join(dir, 'binary.gpg');
  await writeFile(path, Buffer.concat([a.toPublic().write(), b.toPublic().write()]));
  const spaced = fp(b)
    .toLowerCase()
    .replace(/(.{4})/g, '$1 ');
  const t = await loadTrustedKeys(path, [spaced]);
  assert.deepEqual(t.fingerprints, [fp(b)]);
  assert.equal(t.keys.length, 1);
});

test('reads armored keyrings', async () => {
  const armored = new TextEncoder().encode(a.toPublic().armor());
  const t = await trustedKeysFrom(armored, [fp(a)], 'test keyring');
  assert.deepEqual(t.fingerprints, [fp(a)]);
});

test('refuses a keyring without pinned keys, an unreadable one, and a missing file', async () => {
  await assert.rejects(trustedKeysFrom(a.toPublic().write(), [fp(b)], 'k'), untrusted);
  await assert.rejects(trustedKeysFrom(new TextEncoder().encode('not a key'), [fp(a)], 'k'), untrusted);
  await assert.rejects(loadTrustedKeys(join(dir, 'missing.gpg'), [fp(a)]), untrusted);
});

test('normalizeFingerprint', () => {
  assert.equal(normalizeFingerprint('b8b8 0b5b 623e'), 'B8B80B5B623E');
});

test('the Debian keyring on this system holds the pinned bookworm keys', {
  skip: process.platform !== 'linux',
}, async (t) => {
  const path = '/usr/share/keyrings/debian-archive-keyring.gpg';
  const keys = await loadTrustedKeys(path, ['B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8']).catch(() => undefined);
  if (keys === undefined) return t.skip('debian-archive-keyring is not installed');
  assert.deepEqual(keys.fingerprints, ['B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8']);
});
