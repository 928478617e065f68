import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildStatement, createVexDocument, type StatementInput } from '../../src/vuln/index.ts';
import { applyVex } from '../../src/vuln/vex.ts';
import { finding } from './fixtures.ts';

const DIGEST = `sha256:${'ef'.repeat(32)}`;
const IMAGE = `pkg:oci/base@${encodeURIComponent(DIGEST)}`;
const doc = (s: Partial<StatementInput>, at = '2025-01-01T00:00:00Z') =>
  createVexDocument(
    { author: 'me' },
    [
      buildStatement(
        {
          vulnerability: 'CVE-2023-45853',
          products: [IMAGE],
          status: 'not_affected',
          justification: 'vulnerable_code_not_present',
          ...s,
        },
        new Date(at),
      ),
    ],
    new Date(at),
  );

test('statements match by vulnerability name or alias and by product', () => {
  const f = finding();
  const cases: [string, Partial<StatementInput>, { imageDigest?: string }, boolean][] = [
    ['image product, no subcomponents', {}, { imageDigest: DIGEST }, true],
    ['image product without a known digest', {}, {}, false],
    ['bare digest as product', { products: [DIGEST] }, { imageDigest: DIGEST }, true],
    ['alias', { vulnerability: 'DLA-3670-1' }, { imageDigest: DIGEST }, true],
    ['other vulnerability', { vulnerability: 'CVE-2000-1' }, { imageDigest: DIGEST }, false],
    ['matching subcomponent', { subcomponents: ['pkg:deb/debian/zlib1g'] }, { imageDigest: DIGEST }, true],
    [
      'source purl subcomponent',
      { subcomponents: ['pkg:deb/debian/zlib@1%3A1.2.13.dfsg-1'] },
      { imageDigest: DIGEST },
      true,
    ],
    ['other subcomponent', { subcomponents: ['pkg:deb/debian/libc6'] }, { imageDigest: DIGEST }, false],
    ['versioned package product', { products: ['pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1'] }, {}, true],
    ['other version', { products: ['pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-2'] }, {}, false],
    ['qualifier mismatch', { products: ['pkg:deb/debian/zlib1g?arch=arm64'] }, {}, false],
  ];
  for (const [name, s, target, suppressed] of cases) {
    const out = applyVex([f], [doc(s)], target);
    assert.equal(out.suppressed.length, suppressed ? 1 : 0, name);
    assert.equal(out.active.length, suppressed ? 0 : 1, name);
  }
});

test('the newest statement wins; affected keeps the finding active with the decision attached', () => {
  const f = finding();
  const old = doc({}, '2025-01-01T00:00:00Z');
  const newer = doc({ status: 'affected', actionStatement: 'upgrade zlib1g' }, '2025-02-01T00:00:00Z');
  const out = applyVex([f], [newer, old], { imageDigest: DIGEST });
  assert.equal(out.suppressed.length, 0);
  assert.equal(out.active[0]?.vex?.status, 'affected');
  assert.equal(out.active[0]?.vex?.actionStatement, 'upgrade zlib1g');
  const reversed = applyVex([f], [doc({ status: 'fixed' }, '2025-03-01T00:00:00Z'), newer], { imageDigest: DIGEST });
  assert.equal(reversed.suppressed[0]?.vex?.status, 'fixed');
});
