import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { serializeParagraph } from '../../src/debian/index.ts';
import { parsePackagesIndex } from '../../src/debian/packages-index.ts';

const ORIGIN = {
  suite: 'bookworm-security',
  component: 'main',
  baseUrl: 'https://security.debian.org/debian-security',
};
const SHA = 'a'.repeat(64);

const INDEX = `Package: libpython3.11-minimal
Source: python3.11 (3.11.2-6+deb12u2)
Version: 3.11.2-6+deb12u2
Installed-Size: 5050
Maintainer: Matthias Klose <doko@debian.org>
Architecture: amd64
Multi-Arch: same
Depends: libc6 (>= 2.34), libssl3 (>= 3.0.0)
Pre-Depends: dpkg (>= 1.15.6) [amd64], foo [arm64]
Recommends: libpython3.11-stdlib
Breaks: python3.11-minimal (<< 3.11.2)
Conflicts: binfmt-support (<< 1.1.2)
Provides: libpython3-minimal (= 3.11.2-6+deb12u2), python-abi
Description: Minimal subset of the Python language (version 3.11)
 This package contains some essential modules.
Homepage: https://www.python.org/
Section: python
Priority: optional
Filename: pool/updates/main/p/python3.11/libpython3.11-minimal_3.11.2-6+deb12u2_amd64.deb
Size: 815612
SHA256: ${SHA}

Package: base-files
Essential: yes
Version: 12.4+deb12u5
Architecture: amd64
Filename: pool/main/b/base-files/base-files_12.4+deb12u5_amd64.deb
Size: 70000
SHA256: ${SHA}

Package: tzdata
Source: tzdata
Version: 2024a-0+deb12u1
Architecture: all
Multi-Arch: foreign
Depends: debconf (>= 0.5) | debconf-2.0
Filename: pool/main/t/tzdata/tzdata_2024a-0+deb12u1_all.deb
Size: 255000
SHA256: ${SHA}
`;

const isInvalid = (e: unknown) => isIroncladError(e, 'INVALID_INPUT');

describe('parsePackagesIndex', () => {
  const [py, base, tz] = parsePackagesIndex(INDEX, ORIGIN);

  test('fills every PackageEntry field', () => {
    assert.ok(py);
    assert.equal(py.name, 'libpython3.11-minimal');
    assert.equal(py.version, '3.11.2-6+deb12u2');
    assert.equal(py.architecture, 'amd64');
    assert.equal(py.source, 'python3.11');
    assert.equal(py.sourceVersion, '3.11.2-6+deb12u2');
    assert.equal(py.filename, 'pool/updates/main/p/python3.11/libpython3.11-minimal_3.11.2-6+deb12u2_amd64.deb');
    assert.equal(py.size, 815612);
    assert.equal(py.sha256, SHA);
    assert.equal(py.multiArch, 'same');
    assert.equal(py.essential, false);
    assert.equal(py.priority, 'optional');
    assert.equal(py.section, 'python');
    assert.equal(py.installedSize, 5050);
    assert.equal(py.maintainer, 'Matthias Klose <doko@debian.org>');
    assert.equal(
      py.description,
      'Minimal subset of the Python language (version 3.11)\n This package contains some essential modules.',
    );
    assert.equal(py.homepage, 'https://www.python.org/');
    assert.deepEqual(py.depends, [
      [{ name: 'libc6', op: '>=', version: '2.34' }],
      [{ name: 'libssl3', op: '>=', version: '3.0.0' }],
    ]);
    // [arch] restrictions are evaluated for the entry's own architecture.
    assert.deepEqual(py.preDepends, [[{ name: 'dpkg', op: '>=', version: '1.15.6' }]]);
    assert.deepEqual(py.provides, [
      { name: 'libpython3-minimal', op: '=', version: '3.11.2-6+deb12u2' },
      { name: 'python-abi' },
    ]);
    assert.deepEqual(py.breaks, [{ name: 'python3.11-minimal', op: '<<', version: '3.11.2' }]);
    assert.deepEqual(py.conflicts, [{ name: 'binfmt-support', op: '<<', version: '1.1.2' }]);
    assert.equal(py.suite, 'bookworm-security');
    assert.equal(py.component, 'main');
    assert.equal(py.baseUrl, ORIGIN.baseUrl);
  });

  test('applies defaults for absent optional fields', () => {
    assert.ok(base && tz);
    assert.equal(base.essential, true);
    assert.equal(base.source, 'base-files');
    assert.equal(base.sourceVersion, '12.4+deb12u5');
    assert.equal(base.multiArch, 'no');
    assert.equal(base.installedSize, 0);
    assert.deepEqual([base.depends, base.preDepends, base.provides, base.conflicts, base.breaks], [[], [], [], [], []]);
    assert.equal(tz.source, 'tzdata');
    assert.equal(tz.sourceVersion, '2024a-0+deb12u1');
    assert.equal(tz.multiArch, 'foreign');
    assert.deepEqual(tz.depends, [[{ name: 'debconf', op: '>=', version: '0.5' }, { name: 'debconf-2.0' }]]);
  });

  test('keeps the raw fields in order, so status.d files can be written back', () => {
    assert.ok(tz);
    assert.deepEqual(
      [...tz.fields.keys()],
      ['Package', 'Source', 'Version', 'Architecture', 'Multi-Arch', 'Depends', 'Filename', 'Size', 'SHA256'],
    );
    assert.equal(serializeParagraph(tz.fields), INDEX.slice(INDEX.indexOf('Package: tzdata')));
  });

  const stanza = (overrides: Record<string, string | undefined>) => {
    const fields: Record<string, string | undefined> = {
      Package: 'a',
      Version: '1.0',
      Architecture: 'amd64',
      Filename: 'pool/main/a/a/a_1.0_amd64.deb',
      Size: '10',
      SHA256: SHA,
      ...overrides,
    };
    return Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${v}\n`)
      .join('');
  };
  const BAD: [string, Record<string, string | undefined>][] = [
    ['no Package', { Package: undefined }],
    ['no Version', { Version: undefined }],
    ['an invalid Version', { Version: 'x1' }],
    ['no Architecture', { Architecture: undefined }],
    ['no Filename', { Filename: undefined }],
    ['an absolute Filename', { Filename: '/etc/passwd' }],
    ['a Filename with ..', { Filename: 'pool/../../x.deb' }],
    ['a Filename with an empty segment', { Filename: 'pool//x.deb' }],
    ['no Size', { Size: undefined }],
    ['a negative Size', { Size: '-1' }],
    ['a non-numeric Installed-Size', { 'Installed-Size': '12k' }],
    ['no SHA256', { SHA256: undefined }],
    ['a short SHA256', { SHA256: 'abc' }],
    ['an unknown Multi-Arch', { 'Multi-Arch': 'sometimes' }],
    ['a malformed Source', { Source: 'x (1' }],
    ['a malformed Depends', { Depends: 'a (>= )' }],
    ['alternatives in Conflicts', { Conflicts: 'a | b' }],
    ['a ranged Provides', { Provides: 'b (>= 1)' }],
  ];
  for (const [name, overrides] of BAD) {
    test(`rejects a stanza with ${name}`, () =>
      assert.throws(() => parsePackagesIndex(stanza(overrides), ORIGIN), isInvalid));
  }

  test('accepts the minimal stanza used above', () => {
    assert.equal(parsePackagesIndex(stanza({}), ORIGIN).length, 1);
  });
});
