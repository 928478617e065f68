import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import {
  cyclonedxVexReport,
  exceedsThreshold,
  jsonReport,
  sarifReport,
  summaryLine,
  tableRows,
} from '../../src/vuln/index.ts';
import { SCAN_REPORT_SCHEMA } from '../../src/vuln/report.ts';
import type { ScanResult } from '../../src/vuln/types.ts';
import { finding } from './fixtures.ts';

const TARGET = { kind: 'sbom', ref: 'sbom.spdx.json', imageDigest: null };
const result = (over: Partial<ScanResult> = {}): ScanResult => ({
  distro: { id: 'debian', versionId: '12' },
  ecosystem: 'Debian:12',
  findings: [
    finding(),
    finding({
      id: 'CVE-2024-5535',
      sourceName: 'openssl',
      packages: ['libssl3'],
      purls: ['pkg:deb/debian/libssl3@3.0.14-1~deb12u2'],
      severity: 'high',
      fixedVersion: '3.0.15-1~deb12u1',
      installedVersion: '3.0.14-1~deb12u2',
    }),
    finding({
      id: 'CVE-2010-4756',
      sourceName: 'glibc',
      packages: ['libc6'],
      purls: ['pkg:deb/debian/libc6@2.36-9'],
      severity: 'negligible',
      severitySource: 'debian-urgency',
      cvssScore: null,
      cvssVector: null,
    }),
    finding({
      id: 'CVE-2025-0001',
      sourceName: 'glibc',
      packages: ['libc6'],
      purls: ['pkg:deb/debian/libc6@2.36-9'],
      severity: 'unknown',
      severitySource: 'none',
      cvssScore: null,
      cvssVector: null,
    }),
  ],
  suppressed: [],
  packagesScanned: 3,
  packagesNotCovered: 0,
  dbModified: '2025-02-12T00:00:00Z',
  ecosystemRecords: 1,
  ...over,
});

test('summary line and --fail-on', () => {
  assert.equal(summaryLine(result().findings), '1C 1H 0M 0L 1N 1?');
  assert.equal(exceedsThreshold(result(), 'critical'), true);
  const noCrit = result({ findings: result().findings.slice(1) });
  assert.equal(exceedsThreshold(noCrit, 'critical'), false);
  assert.equal(exceedsThreshold(noCrit, 'high'), true);
  assert.equal(exceedsThreshold(result({ findings: result().findings.slice(2) }), 'low'), false);
});

test('table rows are grouped by source package', () => {
  const rows = tableRows(result().findings);
  assert.deepEqual(
    rows.map((r) => [r[0], r[1], r[5]]),
    [
      ['glibc (libc6)', 'CVE-2010-4756', 'no fix yet'],
      ['', 'CVE-2025-0001', 'no fix yet'],
      ['openssl (libssl3)', 'CVE-2024-5535', 'fix available'],
      ['zlib (zlib1g)', 'CVE-2023-45853', 'no fix yet'],
    ],
  );
});

test('JSON report has the documented shape', () => {
  const doc = JSON.parse(jsonReport(result(), TARGET));
  assert.equal(doc.schema, SCAN_REPORT_SCHEMA);
  assert.deepEqual(Object.keys(doc), [
    'schema',
    'target',
    'distro',
    'ecosystem',
    'database',
    'packages',
    'summary',
    'findings',
    'suppressed',
  ]);
  assert.deepEqual(doc.summary, {
    critical: 1,
    high: 1,
    medium: 0,
    low: 0,
    negligible: 1,
    unknown: 1,
    total: 4,
    suppressed: 0,
  });
  assert.equal(doc.findings[1].fixedVersion, '3.0.15-1~deb12u1');
  assert.equal(doc.findings[0].vex, null);
});

test('SARIF 2.1.0: one rule per vulnerability, results with a physical location and the package purl', () => {
  const sarif = JSON.parse(sarifReport(result(), TARGET, '0.1.0'));
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  assert.equal(run.tool.driver.rules.length, 4);
  assert.equal(run.results.length, 4);
  const r = run.results[0];
  assert.equal(r.level, 'error');
  assert.equal(r.locations[0].physicalLocation.artifactLocation.uri, 'sbom.spdx.json');
  assert.equal(r.locations[0].logicalLocations[0].fullyQualifiedName, finding().purls[0]);
  assert.equal(run.tool.driver.rules[r.ruleIndex].id, r.ruleId);
  assert.equal(run.tool.driver.rules[0].properties['security-severity'], '9.8');
  assert.deepEqual(
    run.results.map((x: { level: string }) => x.level),
    ['error', 'error', 'note', 'note'],
  );
});

/** The CycloneDX 1.6 JSON schema as shipped by @cyclonedx/cyclonedx-library (with its SPDX and JSF parts). */
function cyclonedxSchema() {
  const dir = join(
    dirname(createRequire(import.meta.url).resolve('@cyclonedx/cyclonedx-library/package.json')),
    'res',
    'schema',
  );
  const load = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as object;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addFormat('idn-email', /^\S+@\S+$/);
  ajv.addFormat('iri-reference', /^\S*$/);
  // The bom schema refers to its parts relative to its own $id.
  for (const part of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
    const { $id: _id, ...schema } = load(part) as { $id?: string };
    ajv.addSchema(schema, `http://cyclonedx.org/schema/${part}`);
  }
  return ajv.compile(load('bom-1.6.SNAPSHOT.schema.json'));
}

test('CycloneDX VEX validates against the CycloneDX 1.6 JSON schema', () => {
  const suppressed = [
    finding({
      id: 'CVE-2024-9999',
      vex: {
        status: 'not_affected',
        justification: 'vulnerable_code_not_present',
        author: 'me',
        documentId: 'urn:x:1',
      },
    }),
  ];
  const text = cyclonedxVexReport(
    result({ suppressed }),
    { ...TARGET, imageDigest: `sha256:${'0'.repeat(64)}` },
    '0.1.0',
    new Date('2025-02-13T00:00:00Z'),
  );
  const validate = cyclonedxSchema();
  assert.equal(validate(JSON.parse(text)), true, JSON.stringify(validate.errors));
  const doc = JSON.parse(text);
  assert.equal(doc.vulnerabilities.length, 5);
  assert.deepEqual(doc.vulnerabilities[4].analysis, { state: 'not_affected', justification: 'code_not_present' });
  assert.equal(
    text,
    cyclonedxVexReport(
      result({ suppressed }),
      { ...TARGET, imageDigest: `sha256:${'0'.repeat(64)}` },
      '0.1.0',
      new Date('2025-02-13T00:00:00Z'),
    ),
  );
});
