import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, test } from 'node:test';
import * as openpgp from 'openpgp';
import { isIroncladError } from '../../src/core/index.ts';
import { verifyInRelease } from '../../src/debian/inrelease.ts';
import { type TrustedKeys, trustedKeysFrom } from '../../src/debian/keyring.ts';

// Dates relative to the clock so the keys made below are valid; nothing asserts on the clock itself.
const START = Date.now();
const DAY = 86_400_000;
const NOW = () => new Date(START + 60_000);
const RELEASE = `Origin: Debian
Suite: oldstable
Codename: bookworm
Date: ${new Date(START - DAY).toUTCString()}
Valid-Until: ${new Date(START + 7 * DAY).toUTCString()}
Architectures: all amd64
Components: main
SHA256:
 ${'c'.repeat(64)} 100 main/binary-amd64/Packages
`;

let pinned: openpgp.PrivateKey;
let other: openpgp.PrivateKey;
let trusted: TrustedKeys;
const untrusted = (err: unknown) => isIroncladError(err, 'ARCHIVE_UNTRUSTED');
const enc = (s: string) => new TextEncoder().encode(s);

async function signed(text: string, keys: openpgp.PrivateKey[]): Promise<Uint8Array> {
  return enc(await openpgp.sign({ message: await openpgp.createCleartextMessage({ text }), signingKeys: keys }));
}

before(async () => {
  const gen = (name: string) =>
    openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name }], format: 'object' });
  pinned = (await gen('pinned')).privateKey;
  other = (await gen('other')).privateKey;
  const ring = Buffer.concat([pinned.toPublic().write(), other.toPublic().write()]);
  trusted = await trustedKeysFrom(ring, [pinned.getFingerprint()], 'test');
});

test('accepts one good pinned signature among several, by Suite or Codename', async () => {
  const bytes = await signed(RELEASE, [other, pinned]);
  for (const suite of ['bookworm', 'oldstable']) {
    const v = await verifyInRelease(bytes, trusted, { suite, now: NOW() });
    assert.deepEqual(v.signers, [pinned.getFingerprint().toUpperCase()]);
    assert.equal(v.inReleaseSha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(v.release.codename, 'bookworm');
  }
});

test('refuses signatures only by unpinned keys, and unsigned input', async () => {
  await assert.rejects(
    verifyInRelease(await signed(RELEASE, [other]), trusted, { suite: 'bookworm', now: NOW() }),
    untrusted,
  );
  await assert.rejects(verifyInRelease(enc(RELEASE), trusted, { suite: 'bookworm', now: NOW() }), untrusted);
  await assert.rejects(
    verifyInRelease(new Uint8Array([0xff, 0xfe]), trusted, { suite: 'bookworm', now: NOW() }),
    untrusted,
  );
});

test('ignores text outside the signed part', async () => {
  const bytes = await signed(RELEASE, [pinned]);
  const appended = new Uint8Array([...bytes, ...enc('\nCodename: evil\n')]);
  const v = await verifyInRelease(appended, trusted, { suite: 'bookworm', now: NOW() });
  assert.equal(v.release.codename, 'bookworm');
  // Text before the armor header is refused outright rather than ignored.
  const prepended = new Uint8Array([...enc('Codename: evil\n'), ...bytes]);
  await assert.rejects(verifyInRelease(prepended, trusted, { suite: 'bookworm', now: NOW() }), untrusted);
});

test('refuses a Release for another suite and an expired one', async () => {
  const bytes = await signed(RELEASE, [pinned]);
  await assert.rejects(verifyInRelease(bytes, trusted, { suite: 'bookworm-security', now: NOW() }), untrusted);
  const later = new Date(START + 8 * DAY);
  await assert.rejects(verifyInRelease(bytes, trusted, { suite: 'bookworm', now: later }), (err: unknown) => {
    return untrusted(err) && (err as Error).message.startsWith('bookworm:');
  });
  const expired = await signed(RELEASE.replace(/^Valid-Until: .*$/m, 'Valid-Until: Sat, 18 Jul 2020 10:16:37 UTC'), [
    pinned,
  ]);
  await assert.rejects(verifyInRelease(expired, trusted, { suite: 'bookworm', now: NOW() }), untrusted);
  const v = await verifyInRelease(expired, trusted, { suite: 'bookworm', now: NOW(), checkValidUntil: false });
  assert.equal(v.release.validUntil?.getUTCFullYear(), 2020);
});
