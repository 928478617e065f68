import assert from 'node:assert/strict';
import { test } from 'node:test';
import { licensesFromCopyright } from '../../src/sbom/index.ts';
import { licenseId, normalizeExpression } from '../../src/sbom/licenses.ts';

test('Debian short names map to SPDX ids; unknown names become LicenseRef', () => {
  const cases: [string, string][] = [
    ['GPL-2+', 'GPL-2.0-or-later'],
    ['LGPL-2.1', 'LGPL-2.1-only'],
    ['BSD-3-clause', 'BSD-3-Clause'],
    ['Expat', 'MIT'],
    ['apache-2.0', 'Apache-2.0'],
    ['public-domain', 'LicenseRef-public-domain'],
    ['Some License v1', 'LicenseRef-Some-License-v1'],
  ];
  for (const [name, id] of cases) assert.equal(licenseId(name), id, name);
});

test('machine-readable copyright files combine their licenses with AND; free-form ones assert nothing', () => {
  const dep5 = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

Files: *
License: GPL-3+ with GCC-exception-3.1

Files: a/*
License: Expat or BSD-2-clause

Files: b/*
License: GPL-2+
`;
  assert.equal(
    licensesFromCopyright(dep5),
    'BSD-2-Clause AND GPL-2.0-or-later AND (GPL-3.0-or-later WITH GCC-exception-3.1) AND MIT',
  );
  assert.equal(licensesFromCopyright('This is the Debian prepackaged version of foo.\nLicense: GPL\n'), 'NOASSERTION');
});

test('ecosystem expressions are normalised token by token', () => {
  assert.equal(normalizeExpression('(mit OR Apache-2.0)'), '(MIT OR Apache-2.0)');
  assert.equal(normalizeExpression('WTFPL'), 'WTFPL');
  assert.equal(normalizeExpression('SEE LICENSE IN LICENSE.md'), 'LicenseRef-SEE-LICENSE-IN-LICENSE.md');
  assert.equal(normalizeExpression(''), 'NOASSERTION');
});
