import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { isIroncladError } from '../../src/core/index.ts';
import { indexCycloneDxDocument, indexSpdxDocument, writeCycloneDxJson, writeSpdxJson } from '../../src/sbom/index.ts';
import { sampleDocument } from './sample.ts';

// The same official schemas as spdx.test.ts and cyclonedx.test.ts (test/fixtures/sbom/README.md).
const spdxSchema = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/sbom/spdx-2.3-schema.json'), 'utf8'));
const validateSpdx = new Ajv({ allErrors: true, strict: false }).compile(spdxSchema);
const cdxDir = join(
  dirname(createRequire(import.meta.url).resolve('@cyclonedx/cyclonedx-library/package.json')),
  'res/schema',
);
const load = (f: string) => JSON.parse(readFileSync(join(cdxDir, f), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
for (const f of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
  ajv.addSchema({ ...load(f), $id: `http://cyclonedx.org/schema/${f}` });
}
const validateCdx = ajv.compile(load('bom-1.6.SNAPSHOT.schema.json'));

type Json = Record<string, unknown>;

const INDEX = `sha256:${'1'.repeat(64)}`;

async function input() {
  const doc = await sampleDocument();
  const arm = { ...doc, imageDigest: `sha256:${'2'.repeat(64)}`, platform: 'linux/arm/v7' };
  return {
    imageName: 'sample',
    indexDigest: INDEX,
    created: doc.created,
    platforms: [doc, arm].map((d) => ({
      platform: d.platform,
      manifestDigest: d.imageDigest,
      spdx: writeSpdxJson(d),
      cyclonedx: writeCycloneDxJson(d),
    })),
  };
}

test('the index SPDX document validates, describes the index and links each platform SBOM by namespace and SHA1', async () => {
  const inp = await input();
  const s = indexSpdxDocument(inp) as Json & { packages: Json[]; relationships: Json[]; externalDocumentRefs: Json[] };
  assert.equal(validateSpdx(s), true, JSON.stringify(validateSpdx.errors));
  assert.equal(s.documentNamespace, `https://ironclad.dev/spdx/sample@${INDEX}`);
  assert.deepEqual(
    s.packages.map((p) => [p.SPDXID, p.versionInfo, p.primaryPackagePurpose]),
    [
      ['SPDXRef-Image', INDEX, 'CONTAINER'],
      ['SPDXRef-Platform-linux-amd64', inp.platforms[0]!.manifestDigest, 'CONTAINER'],
      ['SPDXRef-Platform-linux-arm-v7', inp.platforms[1]!.manifestDigest, 'CONTAINER'],
    ],
  );
  const armDoc = JSON.parse(Buffer.from(inp.platforms[1]!.spdx).toString());
  assert.deepEqual(s.externalDocumentRefs[1], {
    externalDocumentId: 'DocumentRef-linux-arm-v7',
    spdxDocument: armDoc.documentNamespace,
    checksum: { algorithm: 'SHA1', checksumValue: createHash('sha1').update(inp.platforms[1]!.spdx).digest('hex') },
  });
  assert.ok(
    s.relationships.some(
      (r) =>
        r.spdxElementId === 'SPDXRef-Platform-linux-arm-v7' &&
        r.relationshipType === 'DESCRIBED_BY' &&
        r.relatedSpdxElement === 'DocumentRef-linux-arm-v7:SPDXRef-DOCUMENT',
    ),
  );
  assert.deepEqual(indexSpdxDocument(await input()), s, 'deterministic');
});

test('the index CycloneDX BOM validates and links each platform BOM by BOM-Link and SHA-256', async () => {
  const inp = await input();
  const c = indexCycloneDxDocument(inp) as Json & { components: Json[]; metadata: Json };
  assert.equal(validateCdx(c), true, JSON.stringify(validateCdx.errors?.slice(0, 5)));
  assert.equal((c.metadata.component as Json).version, INDEX);
  const amd = JSON.parse(Buffer.from(inp.platforms[0]!.cyclonedx).toString());
  assert.deepEqual((c.components[0]!.externalReferences as Json[])[0], {
    type: 'bom',
    url: `urn:cdx:${String(amd.serialNumber).slice('urn:uuid:'.length)}/1`,
    hashes: [{ alg: 'SHA-256', content: createHash('sha256').update(inp.platforms[0]!.cyclonedx).digest('hex') }],
  });
  assert.notEqual(c.serialNumber, amd.serialNumber);
});

test('a platform SBOM without its identity is refused (INVALID_INPUT), not linked blindly', async () => {
  const inp = await input();
  const bad = { ...inp, platforms: [{ ...inp.platforms[0]!, spdx: new TextEncoder().encode('{}') }] };
  assert.throws(
    () => indexSpdxDocument(bad),
    (err) => isIroncladError(err, 'INVALID_INPUT'),
  );
  const notJson = { ...inp, platforms: [{ ...inp.platforms[0]!, cyclonedx: new TextEncoder().encode('{') }] };
  assert.throws(
    () => indexCycloneDxDocument(notJson),
    (err) => isIroncladError(err, 'INVALID_INPUT'),
  );
});
