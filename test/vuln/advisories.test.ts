import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advisoriesFor, compileAdvisories, parseAdvisories, type ScanPackage } from '../../src/vuln/index.ts';
import { applyVex } from '../../src/vuln/vex.ts';
import { finding } from './fixtures.ts';

const DIGEST = `sha256:${'a1'.repeat(32)}`;
const YAML = `
- cve: CVE-2023-45853
  package: zlib
  status: not_affected
  justification: vulnerable_code_not_present
  impact: minizip is not part of zlib1g
- cve: CVE-2024-0001
  package: libc6
  status: affected
  action: rebuild when 2.36-9+deb12u10 is published
  timestamp: 2025-01-02T03:04:05Z
`;
const PACKAGES: ScanPackage[] = [
  {
    name: 'zlib1g',
    version: '1:1.2.13.dfsg-1',
    sourceName: 'zlib',
    sourceVersion: '1:1.2.13.dfsg-1',
    purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64',
    type: 'deb',
  },
];

test('advisories compile to OpenVEX about the image, narrowed to versioned package subcomponents', () => {
  const doc = compileAdvisories(
    parseAdvisories(YAML, 'advisories.yaml'),
    { imageName: 'python', imageDigest: DIGEST, packages: PACKAGES, author: 'ironclad maintainers' },
    new Date('2025-02-01T00:00:00Z'),
  );
  const [first, second] = doc.statements;
  assert.equal(first?.products?.[0]?.['@id'], `pkg:oci/python@sha256%3A${'a1'.repeat(32)}`);
  assert.deepEqual(
    first?.products?.[0]?.subcomponents?.map((s) => s['@id']),
    ['pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1'],
  );
  assert.equal(first?.impact_statement, 'minizip is not part of zlib1g');
  assert.deepEqual(
    second?.products?.[0]?.subcomponents?.map((s) => s['@id']),
    ['pkg:deb/debian/libc6'],
    'packages not installed stay unversioned',
  );
  assert.equal(second?.timestamp, '2025-01-02T03:04:05Z');
  const out = applyVex([finding()], [doc], { imageDigest: DIGEST });
  assert.equal(out.suppressed.length, 1);
});

test('invalid advisories report every problem', () => {
  const bad = `
- cve: CVE-1
  package: zlib
  status: not_affected
- cve: nonsense id
  package: x
  status: affected
  colour: blue
`;
  assert.throws(
    () => parseAdvisories(bad, 'a.yaml'),
    (e: Error & { code: string }) =>
      e.code === 'INVALID_INPUT' && /^\s*0:/m.test(e.message) && /1\.cve/.test(e.message),
  );
  assert.throws(
    () => parseAdvisories(': : :\n- [', 'a.yaml'),
    (e: Error & { code: string }) => e.code === 'INVALID_INPUT',
  );
});

test('an advisory scoped to variants holds for those only; unscoped ones hold for every variant', () => {
  const advisories = parseAdvisories(
    `${YAML}- cve: CVE-2024-10963
  package: pam
  status: not_affected
  justification: vulnerable_code_not_present
  impact: pam_access.so is not shipped in the runtime image
  variants: [runtime]
`,
    'advisories.yaml',
  );
  assert.deepEqual(
    advisoriesFor(advisories, 'runtime').map((a) => a.cve),
    ['CVE-2023-45853', 'CVE-2024-0001', 'CVE-2024-10963'],
  );
  assert.deepEqual(
    advisoriesFor(advisories, 'dev').map((a) => a.cve),
    ['CVE-2023-45853', 'CVE-2024-0001'],
  );
  for (const bad of ['variants: []', 'variants: [Dev!]', 'variants: runtime']) {
    assert.throws(
      () => parseAdvisories(`- cve: CVE-1\n  package: x\n  status: fixed\n  ${bad}\n`, 'a.yaml'),
      (e: Error & { code: string }) => e.code === 'INVALID_INPUT' && /0\.variants/.test(e.message),
      bad,
    );
  }
});
