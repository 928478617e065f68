import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { cyclonedxDocument } from '../../src/sbom/cyclonedx.ts';
import { writeCycloneDxJson } from '../../src/sbom/index.ts';
import { parseSbomForScan } from '../../src/vuln/index.ts';
import { sampleDocument } from './sample.ts';

// The official CycloneDX 1.6 schema as shipped by @cyclonedx/cyclonedx-library; its relative $refs to the SPDX
// license enum and JSF resolve against the bom schema's $id, so the two are registered under those URLs.
const dir = join(
  dirname(createRequire(import.meta.url).resolve('@cyclonedx/cyclonedx-library/package.json')),
  'res/schema',
);
const load = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
for (const f of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
  ajv.addSchema({ ...load(f), $id: `http://cyclonedx.org/schema/${f}` });
}
const validate = ajv.compile(load('bom-1.6.SNAPSHOT.schema.json'));

type Json = Record<string, unknown>;

test('CycloneDX 1.6 output validates against the official schema', async () => {
  const json = JSON.parse(new TextDecoder().decode(writeCycloneDxJson(await sampleDocument())));
  assert.equal(validate(json), true, JSON.stringify(validate.errors?.slice(0, 5)));
});

test('CycloneDX: container metadata, deterministic serial, purl bom-refs, licenses and dependencies', async () => {
  const doc = await sampleDocument();
  const c = cyclonedxDocument(doc) as Json & { components: Json[]; dependencies: Json[]; metadata: Json };
  assert.equal(c.serialNumber, (cyclonedxDocument(doc) as Json).serialNumber);
  assert.match(
    String(c.serialNumber),
    /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  assert.equal(c.metadata.timestamp, '2024-01-02T03:04:05Z');
  assert.equal((c.metadata.component as Json).type, 'container');
  const os = c.components[0]!;
  assert.deepEqual([os.type, os.name, os.version], ['operating-system', 'debian', '12']);
  const six = c.components.find((x) => x.name === 'six')!;
  assert.equal(six['bom-ref'], 'pkg:pypi/six@1.16.0');
  assert.deepEqual(six.licenses, [{ license: { id: 'MIT' } }]);
  const libc = c.components.find((x) => x.name === 'libc6')!;
  assert.deepEqual(libc.licenses, [
    { expression: 'GPL-2.0-or-later AND LGPL-2.1-or-later AND LicenseRef-Odd-License' },
  ]);
  assert.ok((libc.properties as Json[]).some((p) => p.name === 'ironclad:package:sourceName' && p.value === 'glibc'));
  const dep = c.dependencies.find((d) => d.ref === libc['bom-ref'])!;
  assert.deepEqual(dep.dependsOn, [c.components.find((x) => x.name === 'libgcc-s1')!['bom-ref']]);
  const scan = parseSbomForScan(writeCycloneDxJson(doc), 'bom');
  assert.equal(scan.packages.length, doc.packages.length);
  assert.equal(scan.imageDigest, doc.imageDigest);
});
