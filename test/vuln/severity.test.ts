import assert from 'node:assert/strict';
import { test } from 'node:test';
import { atOrAbove, decideSeverity, normalizeUrgency } from '../../src/vuln/severity.ts';

const CRIT = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const MED = 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N';

test('Debian urgency wins; otherwise the highest CVSS score; otherwise unknown', () => {
  const cases: [string | null, string[], string, string][] = [
    ['unimportant', [CRIT], 'negligible', 'debian-urgency'],
    ['low', [], 'low', 'debian-urgency'],
    ['medium', [], 'medium', 'debian-urgency'],
    ['high', [], 'high', 'debian-urgency'],
    ['low**', [], 'low', 'debian-urgency'],
    ['medium*', [], 'medium', 'debian-urgency'],
    ['not yet assigned', [MED, CRIT], 'critical', 'cvss'],
    ['end-of-life', [MED], 'medium', 'cvss'],
    [null, ['garbage'], 'unknown', 'none'],
    ['not yet assigned', [], 'unknown', 'none'],
  ];
  for (const [urgency, vectors, severity, source] of cases) {
    const d = decideSeverity(urgency, vectors);
    assert.deepEqual([d.severity, d.source], [severity, source], `${urgency} ${vectors}`);
  }
  assert.equal(decideSeverity('low', [CRIT]).cvssScore, 9.8);
});

test('urgency suffixes are stripped', () => {
  assert.equal(normalizeUrgency(' Low** '), 'low');
  assert.equal(normalizeUrgency(''), null);
});

test('thresholds: negligible and unknown never reach --fail-on', () => {
  assert.equal(atOrAbove('critical', 'high'), true);
  assert.equal(atOrAbove('high', 'high'), true);
  assert.equal(atOrAbove('medium', 'high'), false);
  assert.equal(atOrAbove('low', 'low'), true);
  assert.equal(atOrAbove('negligible', 'low'), false);
  assert.equal(atOrAbove('unknown', 'low'), false);
});
