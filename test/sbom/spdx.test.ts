import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { createContext } from '../../src/core/context.ts';
import { generateSbom, writeSpdxJson } from '../../src/sbom/index.ts';
import { spdxDocument } from '../../src/sbom/spdx.ts';
import { parseSbomForScan } from '../../src/vuln/index.ts';
import { sampleDocument, sampleImage } from './sample.ts';

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/sbom/spdx-2.3-schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

type Json = Record<string, unknown> & { packages: Json[]; relationships: Json[]; files?: Json[] };

test('SPDX 2.3 output validates against the official schema, with and without files', async () => {
  for (const files of [false, true]) {
    const json = JSON.parse(new TextDecoder().decode(writeSpdxJson(await sampleDocument(files))));
    assert.equal(validate(json), true, JSON.stringify(validate.errors));
  }
});

test('SPDX document: image package, purls, DEPENDS_ON, LicenseRef declared, namespace from the digest', async () => {
  const doc = await sampleDocument();
  const s = spdxDocument(doc) as Json;
  assert.equal(s.spdxVersion, 'SPDX-2.3');
  assert.equal(s.documentNamespace, `https://ironclad.dev/spdx/sample@${doc.imageDigest}`);
  assert.deepEqual((s.creationInfo as Json).creators, ['Tool: ironclad-0.1.0', 'Organization: Ironclad']);
  const image = s.packages[0]!;
  assert.equal(image.primaryPackagePurpose, 'CONTAINER');
  assert.deepEqual(s.relationships[0], {
    spdxElementId: 'SPDXRef-DOCUMENT',
    relationshipType: 'DESCRIBES',
    relatedSpdxElement: 'SPDXRef-Image',
  });
  const libc = s.packages.find((p) => p.name === 'libc6')!;
  const gcc = s.packages.find((p) => p.name === 'libgcc-s1')!;
  assert.equal(libc.licenseDeclared, 'GPL-2.0-or-later AND LGPL-2.1-or-later AND LicenseRef-Odd-License');
  assert.equal(libc.sourceInfo, 'built package from: glibc 2.36-9+deb12u4');
  assert.deepEqual(
    (gcc.externalRefs as Json[])[0]!.referenceLocator,
    'pkg:deb/debian/libgcc-s1@1:12.2.0-14+deb12u1?arch=amd64&upstream=gcc-12%4012.2.0-14&distro=debian-12',
  );
  assert.ok(
    s.relationships.some(
      (r) =>
        r.spdxElementId === libc.SPDXID && r.relationshipType === 'DEPENDS_ON' && r.relatedSpdxElement === gcc.SPDXID,
    ),
  );
  assert.deepEqual(
    (s.hasExtractedLicensingInfos as Json[]).map((x) => x.licenseId),
    ['LicenseRef-Odd-License'],
  );
});

test('SPDX with files: each owned file has SHA1 and SHA256 and a CONTAINS from its package', async () => {
  const s = spdxDocument(await sampleDocument(true)) as Json;
  const f = s.files!.find((x) => x.fileName === '/usr/lib/libc.so.6')!;
  assert.deepEqual(
    (f.checksums as Json[]).map((c) => c.algorithm),
    ['SHA1', 'SHA256'],
  );
  const libc = s.packages.find((p) => p.name === 'libc6')!;
  assert.ok(s.relationships.some((r) => r.spdxElementId === libc.SPDXID && r.relatedSpdxElement === f.SPDXID));
});

test('two runs give byte-identical SPDX, and the scanner reads back every purl and the image digest', async () => {
  const { source } = await sampleImage();
  const ctx = createContext({ home: '' });
  const a = writeSpdxJson(await generateSbom(source, { imageName: 'sample' }, ctx));
  const b = writeSpdxJson(await generateSbom(source, { imageName: 'sample' }, ctx));
  assert.deepEqual(a, b);
  const doc = await generateSbom(source, { imageName: 'sample' }, ctx);
  assert.equal(doc.created, '2023-11-14T22:13:20Z'); // the image config's `created`, not the clock
  const scan = parseSbomForScan(a, 'sbom');
  assert.deepEqual(scan.packages.map((p) => p.purl).sort(), doc.packages.map((p) => p.purl).sort());
  assert.deepEqual(scan.distro, { id: 'debian', versionId: '12' });
  assert.equal(scan.imageDigest, doc.imageDigest);
  const gcc = scan.packages.find((p) => p.name === 'libgcc-s1')!;
  assert.equal(gcc.sourceName, 'gcc-12');
  assert.equal(gcc.sourceVersion, '12.2.0-14');
});
