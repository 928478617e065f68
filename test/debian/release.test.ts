import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { parseRelease, parseReleaseDate } from '../../src/debian/release.ts';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);
const RELEASE = `Origin: Debian
Label: Debian-Security
Suite: oldstable-security
Codename: bookworm-security
Date: Sat, 21 Nov 2026 00:53:02 UTC
Valid-Until: Sat, 28 Nov 2026 00:53:02 UTC
Acquire-By-Hash: yes
Architectures: amd64 arm64
Components: updates/main updates/contrib
Description: Debian 12 - Security Updates
MD5Sum:
 0123456789abcdef0123456789abcdef 10 main/binary-amd64/Packages
SHA256:
 ${HASH_A}  2523192 main/binary-amd64/Packages
 ${HASH_B}   378100 main/binary-amd64/Packages.xz
`;

const isInvalid = (err: unknown) => isIroncladError(err, 'INVALID_INPUT');

test('parses the fields the archive client needs', () => {
  const r = parseRelease(RELEASE, 'bookworm-security');
  assert.equal(r.suite, 'oldstable-security');
  assert.equal(r.codename, 'bookworm-security');
  assert.equal(r.dateRaw, 'Sat, 21 Nov 2026 00:53:02 UTC');
  assert.equal(r.date.toISOString(), '2026-11-21T00:53:02.000Z');
  assert.equal(r.validUntil?.toISOString(), '2026-11-28T00:53:02.000Z');
  assert.deepEqual(r.architectures, ['amd64', 'arm64']);
  assert.deepEqual(r.components, ['updates/main', 'updates/contrib']);
  assert.equal(r.acquireByHash, true);
  assert.equal(r.archAllInArchIndices, false);
  assert.deepEqual(r.files.get('main/binary-amd64/Packages.xz'), { sha256: HASH_B, size: 378100 });
  assert.equal(r.files.size, 2);
});

test('Valid-Until is optional and No-Support-for-Architecture-all is read', () => {
  const text = RELEASE.replace(/^Valid-Until:.*\n/m, '').replace(
    'Acquire-By-Hash: yes',
    'No-Support-for-Architecture-all: Packages',
  );
  const r = parseRelease(text, 'x');
  assert.equal(r.validUntil, undefined);
  assert.equal(r.acquireByHash, false);
  assert.equal(r.archAllInArchIndices, true);
});

test('dates: only RFC 2822 in UTC', () => {
  assert.equal(parseReleaseDate('Sat, 11 Jul 2026 10:16:37 UTC')?.toISOString(), '2026-07-11T10:16:37.000Z');
  assert.equal(parseReleaseDate('1 Jan 2025 00:00:00 +0000')?.toISOString(), '2025-01-01T00:00:00.000Z');
  assert.equal(parseReleaseDate('Thu, 01 Jan 2025 00:00:00 GMT')?.toISOString(), '2025-01-01T00:00:00.000Z');
  for (const bad of [
    'Sat, 11 Jul 2026 10:16:37 +0200',
    '2026-07-11T10:16:37Z',
    '31 Feb 2025 00:00:00 UTC',
    '1 Foo 2025 00:00:00 UTC',
    '1 Jan 2025 25:00:00 UTC',
  ]) {
    assert.equal(parseReleaseDate(bad), undefined, bad);
  }
});

test('rejects malformed Release files with INVALID_INPUT', () => {
  const cases = [
    RELEASE.replace(/^Date:.*\n/m, ''),
    RELEASE.replace(/^Date:.*$/m, 'Date: yesterday'),
    RELEASE.replace(/^Valid-Until:.*$/m, 'Valid-Until: soon'),
    RELEASE.replace(/^Architectures:.*\n/m, ''),
    RELEASE.replace(/^Components:.*$/m, 'Components: main;rm'),
    RELEASE.replace(/^SHA256:[\s\S]*$/m, ''),
    RELEASE.replace('2523192 main', 'notasize main'),
    RELEASE.replace('main/binary-amd64/Packages.xz', '../../etc/passwd'),
    RELEASE.replace('main/binary-amd64/Packages.xz', 'main/binary-amd64/Packages'),
    `${RELEASE}\nOrigin: second paragraph\n`,
  ];
  for (const text of cases) assert.throws(() => parseRelease(text, 'x'), isInvalid);
});
