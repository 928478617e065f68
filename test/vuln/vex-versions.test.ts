import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OpenVexDocument } from '../../src/vuln/openvex.ts';
import { buildStatement, createVexDocument } from '../../src/vuln/vex-document.ts';
import { currentVexDocuments, nextVexVersion } from '../../src/vuln/vex-versions.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const LATER = new Date('2026-02-01T00:00:00Z');

function doc(id: string, status: 'affected' | 'fixed', version = 1): OpenVexDocument {
  const s = buildStatement(
    {
      vulnerability: 'CVE-2025-0001',
      products: ['pkg:oci/x@sha256:aa'],
      status,
      ...(status === 'affected' ? { actionStatement: 'update' } : {}),
    },
    T0,
  );
  const d = createVexDocument({ author: 'a', id }, [s], T0);
  return version === 1 ? d : { ...d, version };
}

test('readers keep the highest version of each @id, every version when several tie, and every other @id', () => {
  const a1 = doc('urn:a', 'fixed');
  const a2 = doc('urn:a', 'affected', 2);
  const b1 = doc('urn:b', 'fixed');
  const tie = doc('urn:b', 'affected');
  const id = (d: OpenVexDocument) => d;
  assert.deepEqual(currentVexDocuments([a1, b1, a2], id), [b1, a2]);
  assert.deepEqual(currentVexDocuments([a2, a1], id), [a2]);
  assert.deepEqual(currentVexDocuments([b1, tie], id), [b1, tie]);
  assert.deepEqual(currentVexDocuments([], id), []);
});

test('the next version: the same content is the one attached; changed content is version + 1 with last_updated', () => {
  const v1 = doc('urn:a', 'fixed');
  assert.deepEqual(nextVexVersion(v1, [], LATER), { document: v1, attached: false });
  assert.deepEqual(nextVexVersion(v1, [doc('urn:other', 'affected')], LATER), { document: v1, attached: false });
  assert.deepEqual(nextVexVersion(doc('urn:a', 'fixed'), [v1], LATER), { document: v1, attached: true });
  const changed = nextVexVersion(doc('urn:a', 'affected'), [v1], LATER);
  assert.equal(changed.attached, false);
  assert.equal(changed.document.version, 2);
  assert.equal(changed.document.last_updated, '2026-02-01T00:00:00Z');
  assert.equal(changed.document['@id'], 'urn:a');
  // Back to what version 1 said: version 2 is the current one, so that content comes back as version 3.
  const back = nextVexVersion(doc('urn:a', 'fixed'), [v1, changed.document], LATER);
  assert.equal(back.attached, false);
  assert.equal(back.document.version, 3);
  assert.deepEqual(back.document.statements, v1.statements);
});
