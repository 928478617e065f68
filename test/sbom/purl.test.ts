import assert from 'node:assert/strict';
import { test } from 'node:test';
import { debPurl, ociPurl, parsePurl, purlMatches } from '../../src/sbom/index.ts';
import { golangPurl, npmPurl, pypiPurl } from '../../src/sbom/purl.ts';

const bookworm = { id: 'debian', versionId: '12', codename: 'bookworm' };

test('Debian purls are written as syft writes them', () => {
  const cases: [Parameters<typeof debPurl>[0], string][] = [
    [
      { name: 'base-files', version: '12.4+deb12u5', arch: 'amd64', distro: bookworm },
      'pkg:deb/debian/base-files@12.4+deb12u5?arch=amd64&distro=debian-12',
    ],
    [
      { name: 'libc6', version: '2.36-9', arch: 'amd64', sourceName: 'glibc', distro: bookworm },
      'pkg:deb/debian/libc6@2.36-9?arch=amd64&upstream=glibc&distro=debian-12',
    ],
    [
      {
        name: 'bsdutils',
        version: '1:2.38.1-5+b1',
        arch: 'amd64',
        sourceName: 'util-linux',
        sourceVersion: '2.38.1-5',
        distro: bookworm,
      },
      'pkg:deb/debian/bsdutils@1:2.38.1-5+b1?arch=amd64&upstream=util-linux%402.38.1-5&distro=debian-12',
    ],
    [
      { name: 'x', version: '1.0', sourceName: 'x', sourceVersion: '1.0', distro: null },
      'pkg:deb/debian/x@1.0?upstream=x',
    ],
    [
      {
        name: 'tzdata',
        version: '2024a-0+deb12u1',
        arch: 'all',
        distro: { id: 'debian', versionId: '', codename: 'trixie' },
      },
      'pkg:deb/debian/tzdata@2024a-0+deb12u1?arch=all&distro=debian-trixie',
    ],
  ];
  for (const [input, want] of cases) assert.equal(debPurl(input), want);
});

test('pypi, npm, golang and oci purls', () => {
  assert.equal(pypiPurl('Flask_SQLAlchemy', '3.1.1'), 'pkg:pypi/flask-sqlalchemy@3.1.1');
  assert.equal(npmPurl('@babel/core', '7.24.0'), 'pkg:npm/%40babel/core@7.24.0');
  assert.equal(npmPurl('lodash', '4.17.21'), 'pkg:npm/lodash@4.17.21');
  assert.equal(
    golangPurl('github.com/a/b/v2', 'v2.0.0+incompatible'),
    'pkg:golang/github.com/a/b/v2@v2.0.0+incompatible',
  );
  assert.equal(ociPurl('ghcr.io/acme/App', `sha256:${'a'.repeat(64)}`), `pkg:oci/app@sha256%3A${'a'.repeat(64)}`);
});

test('the purls we write parse back to their parts (one purl module writes and reads them)', () => {
  const deb = parsePurl(debPurl({ name: 'libc6', version: '1:2.36-9+deb12u4', distro: null }));
  assert.deepEqual(
    { type: deb?.type, namespace: deb?.namespace, name: deb?.name, version: deb?.version },
    { type: 'deb', namespace: 'debian', name: 'libc6', version: '1:2.36-9+deb12u4' },
  );
  // purl-spec, type oci: the name is the last path element, lowercased; the version is the digest.
  const digest = `sha256:${'b'.repeat(64)}`;
  const oci = parsePurl(ociPurl('team/App', digest));
  assert.deepEqual(
    { type: oci?.type, name: oci?.name, version: oci?.version },
    { type: 'oci', name: 'app', version: digest },
  );
  assert.ok(purlMatches(parsePurl('pkg:deb/debian/libc6')!, deb!));
});
