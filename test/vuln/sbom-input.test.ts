import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSbomForScan } from '../../src/vuln/index.ts';
import { packageFromPurl } from '../../src/vuln/sbom-input.ts';

const enc = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));

test('deb purls give binary and source name/version', () => {
  assert.deepEqual(
    packageFromPurl(
      'pkg:deb/debian/libc6@2.36-9+deb12u9+b1?arch=amd64&upstream=glibc%402.36-9%2Bdeb12u9&distro=debian-12',
    ),
    {
      name: 'libc6',
      version: '2.36-9+deb12u9+b1',
      arch: 'amd64',
      sourceName: 'glibc',
      sourceVersion: '2.36-9+deb12u9',
      purl: 'pkg:deb/debian/libc6@2.36-9+deb12u9+b1?arch=amd64&upstream=glibc%402.36-9%2Bdeb12u9&distro=debian-12',
      type: 'deb',
    },
  );
  assert.equal(packageFromPurl('pkg:deb/debian/openssl@3.0.15-1?upstream=openssl')?.sourceVersion, '3.0.15-1');
  assert.equal(packageFromPurl('pkg:npm/%40scope/pkg@1.0.0')?.name, '@scope/pkg');
  assert.equal(packageFromPurl('pkg:rpm/fedora/bash@5'), null);
  assert.equal(packageFromPurl('not a purl'), null);
});

test('SPDX 2.3: purls from externalRefs, distro and image digest from purls', () => {
  const spdx = {
    spdxVersion: 'SPDX-2.3',
    packages: [
      {
        name: 'img',
        externalRefs: [
          {
            referenceCategory: 'PACKAGE-MANAGER',
            referenceType: 'purl',
            referenceLocator: `pkg:oci/img@sha256%3A${'1'.repeat(64)}`,
          },
        ],
      },
      {
        name: 'zlib1g',
        externalRefs: [
          {
            referenceCategory: 'PACKAGE-MANAGER',
            referenceType: 'purl',
            referenceLocator: 'pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&upstream=zlib&distro=debian-12',
          },
        ],
      },
      { name: 'no-refs' },
    ],
  };
  const input = parseSbomForScan(enc(spdx), 'sbom.json');
  assert.equal(input.format, 'spdx');
  assert.deepEqual(input.distro, { id: 'debian', versionId: '12' });
  assert.equal(input.imageDigest, `sha256:${'1'.repeat(64)}`);
  assert.deepEqual(
    input.packages.map((p) => [p.name, p.version, p.sourceName]),
    [['zlib1g', '1:1.2.13.dfsg-1', 'zlib']],
  );
});

test('CycloneDX: nested components and the operating-system component', () => {
  const cdx = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    components: [
      { type: 'operating-system', name: 'debian', version: '12' },
      {
        type: 'library',
        name: 'a',
        purl: 'pkg:deb/debian/a@1',
        components: [{ type: 'library', name: 'b', purl: 'pkg:pypi/b@2' }],
      },
    ],
  };
  const input = parseSbomForScan(enc(cdx), 'bom.json');
  assert.deepEqual(input.distro, { id: 'debian', versionId: '12' });
  assert.deepEqual(
    input.packages.map((p) => p.type),
    ['deb', 'pypi'],
  );
});

test('anything else is INVALID_INPUT', () => {
  for (const bytes of [new TextEncoder().encode('{'), enc([1]), enc({ hello: 1 })]) {
    assert.throws(
      () => parseSbomForScan(bytes, 'x'),
      (e: Error & { code: string }) => e.code === 'INVALID_INPUT',
    );
  }
});
