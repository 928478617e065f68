import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContext, fail, isIroncladError } from '../../src/core/index.ts';
import type { ImageEndpoint } from '../../src/oci/index.ts';
import { resolveScanInput, type ScanInputAccess } from '../../src/vuln/scan-input.ts';

const SBOM = {
  spdxVersion: 'SPDX-2.3',
  packages: [
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
  ],
};

/** Files that exist are the keys of `files`; every image opened is recorded and refused. */
function access(files: Record<string, unknown>, opened: string[]): ScanInputAccess {
  return {
    fileExists: (path) => path in files,
    readFile: async (path) => new TextEncoder().encode(JSON.stringify(files[path])),
    openImage: (ref): ImageEndpoint => {
      opened.push(ref);
      return fail('NOT_FOUND', `no image ${ref}`);
    },
  };
}

const ctx = createContext({ home: 'unused-home' });

test('an existing file is read as an SBOM, whatever its name; no image is opened', async () => {
  const opened: string[] = [];
  const input = await resolveScanInput('python:3.11', access({ 'python:3.11': SBOM }, opened), ctx);
  assert.equal(input.kind, 'sbom');
  assert.deepEqual(input.distro, { id: 'debian', versionId: '12' });
  assert.deepEqual(
    input.packages.map((p) => p.sourceName),
    ['zlib'],
  );
  assert.deepEqual(opened, []);
});

test('a missing file written as a path or an SBOM name is NOT_FOUND and never tried as an image', async () => {
  for (const ref of ['./sbom', '/x/y', '~/s', 'sbom.spdx.json', 'image.cdx']) {
    const opened: string[] = [];
    await assert.rejects(resolveScanInput(ref, access({}, opened), ctx), (e) => isIroncladError(e, 'NOT_FOUND'), ref);
    assert.deepEqual(opened, [], ref);
  }
});

test('anything else is an image reference, opened through the caller’s transports', async () => {
  for (const ref of ['python:3.11', 'oci:out:v1', 'docker://127.0.0.1:5000/r:1']) {
    const opened: string[] = [];
    await assert.rejects(resolveScanInput(ref, access({}, opened), ctx));
    assert.deepEqual(opened, [ref]);
  }
});
