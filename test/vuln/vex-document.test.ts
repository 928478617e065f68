import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
  addStatement,
  buildStatement,
  createVexDocument,
  mergeVexDocuments,
  parseOpenVex,
  serializeOpenVex,
  vexRows,
} from '../../src/vuln/index.ts';

const schema = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../fixtures/vuln/openvex_json_schema.json'), 'utf8'),
) as object;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
// ajv-formats has no `iri`; accept any absolute IRI (scheme ":" non-space characters).
ajv.addFormat('iri', /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/);
const validate = ajv.compile(schema);

const T1 = new Date('2025-01-01T10:00:00.123Z');
const T2 = new Date('2025-02-01T10:00:00Z');
const IMAGE = `pkg:oci/python@sha256%3A${'12'.repeat(32)}`;

const notAffected = (vuln: string, at: Date) =>
  buildStatement(
    {
      vulnerability: vuln,
      products: [IMAGE],
      subcomponents: ['pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1'],
      status: 'not_affected',
      justification: 'vulnerable_code_not_present',
    },
    at,
  );

test('a created document validates against the official OpenVEX JSON schema and is deterministic', () => {
  const doc = createVexDocument({ author: 'security@example.org' }, [notAffected('CVE-2023-45853', T1)], T1);
  assert.equal(validate(JSON.parse(serializeOpenVex(doc))), true, JSON.stringify(validate.errors));
  assert.equal(doc['@context'], 'https://openvex.dev/ns/v0.2.0');
  assert.equal(doc.timestamp, '2025-01-01T10:00:00Z');
  const again = createVexDocument({ author: 'security@example.org' }, [notAffected('CVE-2023-45853', T1)], T1);
  assert.equal(serializeOpenVex(again), serializeOpenVex(doc));
  assert.deepEqual(parseOpenVex(serializeOpenVex(doc), 'doc'), JSON.parse(serializeOpenVex(doc)));
});

test('add bumps the version and keeps the id; the result still validates', () => {
  const doc = createVexDocument({ author: 'a', id: 'https://example.org/vex/1' }, [notAffected('CVE-1', T1)], T1);
  const affected = buildStatement(
    { vulnerability: 'CVE-2', products: [IMAGE], status: 'affected', actionStatement: 'upgrade to 2.0' },
    T2,
  );
  const next = addStatement(doc, affected, T2);
  assert.equal(next.version, 2);
  assert.equal(next['@id'], 'https://example.org/vex/1');
  assert.equal(next.last_updated, '2025-02-01T10:00:00Z');
  assert.equal(next.statements.length, 2);
  assert.equal(validate(JSON.parse(serializeOpenVex(next))), true, JSON.stringify(validate.errors));
  assert.equal(doc.statements.length, 1, 'inputs are not changed');
});

test('merge keeps the newest statement per vulnerability and product', () => {
  const older = createVexDocument({ author: 'a' }, [notAffected('CVE-1', T1), notAffected('CVE-2', T1)], T1);
  const fixed = buildStatement({ vulnerability: 'CVE-1', products: [IMAGE], status: 'fixed' }, T2);
  const newer = createVexDocument({ author: 'b' }, [fixed], T2);
  const merged = mergeVexDocuments([newer, older], { author: 'merger' }, T2);
  assert.deepEqual(
    merged.statements.map((s) => [s.vulnerability.name, s.status]),
    [
      ['CVE-1', 'fixed'],
      ['CVE-2', 'not_affected'],
    ],
  );
  assert.equal(validate(JSON.parse(serializeOpenVex(merged))), true);
  assert.deepEqual(vexRows(merged)[0]?.slice(0, 2), ['CVE-1', 'fixed']);
});

test('validation collects every problem into one INVALID_INPUT', () => {
  const bad = {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'x:1',
    author: 'a',
    timestamp: '2025-01-01T00:00:00Z',
    version: 1,
    statements: [
      { vulnerability: { name: 'CVE-1' }, status: 'not_affected', products: [{ '@id': 'pkg:deb/debian/a' }] },
      { vulnerability: { name: 'CVE-2' }, status: 'affected' },
      { vulnerability: {}, status: 'maybe' },
    ],
  };
  assert.throws(
    () => parseOpenVex(JSON.stringify(bad), 'bad.json'),
    (e: Error & { code: string }) =>
      e.code === 'INVALID_INPUT' &&
      /statements\[0\]/.test(e.message) &&
      /statements\[1\]/.test(e.message) &&
      /statements\[2\]\.status/.test(e.message),
  );
  assert.throws(
    () => parseOpenVex('{', 'x'),
    (e: Error & { code: string }) => e.code === 'INVALID_INPUT',
  );
});
