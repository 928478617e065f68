import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SbomPackage } from '../../src/sbom/index.ts';
import { catalogOf, DEP5, dir, file, osRelease, symlink } from './images.ts';

const byName = (pkgs: readonly SbomPackage[], name: string) => pkgs.find((p) => p.name === name);

const LIBC6 = `Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Depends: libgcc-s1
Description: GNU C Library: Shared libraries
`;

const LIBGCC = `Package: libgcc-s1
Status: install ok installed
Maintainer: Debian GCC Maintainers <debian-gcc@lists.debian.org>
Architecture: amd64
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14+deb12u1
Depends: gcc-12-base (= 12.2.0-14+deb12u1), libc6 (>= 2.35)
Description: GCC support library
`;

test('status.d image: packages, syft-style purls, licenses, dependencies and unowned files', async () => {
  const cat = await catalogOf([
    [
      ...osRelease(),
      dir('var'),
      dir('var/lib'),
      dir('var/lib/dpkg'),
      dir('var/lib/dpkg/status.d'),
      file('var/lib/dpkg/status.d/libc6', LIBC6),
      file(
        'var/lib/dpkg/status.d/libc6.md5sums',
        'd41d8cd98f00b204e9800998ecf8427e  usr/lib/x86_64-linux-gnu/libc.so.6\n',
      ),
      file('var/lib/dpkg/status.d/libgcc-s1', LIBGCC),
      dir('usr/lib/x86_64-linux-gnu'),
      file('usr/lib/x86_64-linux-gnu/libc.so.6', 'elf'),
      dir('usr/share'),
      dir('usr/share/doc'),
      dir('usr/share/doc/libc6'),
      file('usr/share/doc/libc6/copyright', DEP5),
      file('app/hand-copied', 'x'),
    ],
  ]);
  assert.deepEqual(cat.distro, { id: 'debian', versionId: '12', codename: 'bookworm' });
  const libc = byName(cat.packages, 'libc6')!;
  assert.equal(libc.purl, 'pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&upstream=glibc&distro=debian-12');
  assert.equal(libc.licenses, 'GPL-2.0-or-later AND LGPL-2.1-or-later');
  assert.equal(libc.supplier, 'Organization: GNU Libc Maintainers (debian-glibc@lists.debian.org)');
  assert.deepEqual(libc.dependsOn, ['libgcc-s1']);
  assert.equal(libc.foundBy, 'dpkg-status-d-cataloger');
  const gcc = byName(cat.packages, 'libgcc-s1')!;
  assert.equal(
    gcc.purl,
    'pkg:deb/debian/libgcc-s1@12.2.0-14+deb12u1?arch=amd64&upstream=gcc-12%4012.2.0-14&distro=debian-12',
  );
  assert.equal(gcc.sourceVersion, '12.2.0-14');
  assert.equal(gcc.licenses, 'NOASSERTION');
  // os-release, libc.so.6 (owned), the copyright file and the hand-copied file are the regular files outside dpkg's db.
  assert.deepEqual(cat.unowned, {
    total: 4,
    unowned: 3,
    sample: ['app/hand-copied', 'usr/lib/os-release', 'usr/share/doc/libc6/copyright'],
  });
});

const STATUS = `Package: coreutils
Status: install ok installed
Essential: yes
Maintainer: Michael Stone <mstone@debian.org>
Architecture: amd64
Version: 9.1-1
Pre-Depends: libc6 (>= 2.34)
Description: GNU core utilities

Package: removed-pkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1
Description: gone

Package: libc6
Status: install ok installed
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library
`;

test('dpkg status image: only installed entries; .list ownership follows merged-/usr symlinks', async () => {
  const cat = await catalogOf(
    [
      [
        ...osRelease(),
        dir('usr/bin'),
        symlink('bin', 'usr/bin'),
        file('usr/bin/ls', 'ls'),
        file('usr/bin/stray', 'stray'),
        dir('var'),
        dir('var/lib'),
        dir('var/lib/dpkg'),
        file('var/lib/dpkg/status', STATUS),
        dir('var/lib/dpkg/info'),
        file('var/lib/dpkg/info/coreutils.list', '/.\n/bin\n/bin/ls\n'),
        file('var/lib/dpkg/info/libc6:amd64.list', '/.\n/usr/lib/os-release\n'),
      ],
    ],
    true,
  );
  assert.deepEqual(
    cat.packages.map((p) => p.name),
    ['coreutils', 'libc6'],
  );
  const core = byName(cat.packages, 'coreutils')!;
  assert.equal(core.purl, 'pkg:deb/debian/coreutils@9.1-1?arch=amd64&distro=debian-12');
  assert.equal(core.supplier, 'Person: Michael Stone (mstone@debian.org)');
  assert.deepEqual(core.dependsOn, ['libc6']);
  // `/bin` is the merged-/usr symlink itself; `/bin/ls` is found where it really is.
  assert.deepEqual(core.files, ['bin', 'usr/bin/ls']);
  assert.equal(core.foundBy, 'dpkg-db-cataloger');
  assert.deepEqual(cat.unowned, { total: 3, unowned: 1, sample: ['usr/bin/stray'] });
});

test('Python and npm packages are found with normalised purls; whiteouts hide deleted packages', async () => {
  const sp = 'usr/local/lib/python3.11/site-packages';
  const nm = 'usr/lib/node_modules';
  const cat = await catalogOf([
    [
      ...osRelease(),
      dir('usr/local'),
      dir('usr/local/lib'),
      dir('usr/local/lib/python3.11'),
      dir(sp),
      dir(`${sp}/Flask_Login-0.6.3.dist-info`),
      file(
        `${sp}/Flask_Login-0.6.3.dist-info/METADATA`,
        'Metadata-Version: 2.1\nName: Flask_Login\nVersion: 0.6.3\nAuthor: Matthew Frazier\nLicense: MIT\nRequires-Dist: Flask >=1.0.4\nRequires-Dist: pytest ; extra == "test"\n\nLong description\nName: not-a-header\n',
      ),
      dir(`${sp}/flask-3.0.0.dist-info`),
      file(
        `${sp}/flask-3.0.0.dist-info/METADATA`,
        'Metadata-Version: 2.1\nName: Flask\nVersion: 3.0.0\nClassifier: License :: OSI Approved :: BSD License\n',
      ),
      dir(nm),
      dir(`${nm}/@types`),
      dir(`${nm}/@types/node`),
      file(
        `${nm}/@types/node/package.json`,
        JSON.stringify({ name: '@types/node', version: '20.1.0', license: 'MIT' }),
      ),
      dir(`${nm}/left-pad`),
      file(`${nm}/left-pad/package.json`, JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' })),
      dir(`${nm}/left-pad/test`),
      dir(`${nm}/left-pad/test/fixture`),
      file(`${nm}/left-pad/test/fixture/package.json`, JSON.stringify({ name: 'fixture', version: '0.0.0' })),
      dir(`${nm}/broken`),
      file(`${nm}/broken/package.json`, '{not json'),
    ],
    // The upper layer deletes left-pad and Flask (as `pip uninstall` / `npm rm` in a later Dockerfile step would).
    [dir(nm), file(`${nm}/.wh.left-pad`, ''), dir(sp), file(`${sp}/.wh.flask-3.0.0.dist-info`, '')],
  ]);
  assert.deepEqual(
    cat.packages.map((p) => p.purl),
    ['pkg:pypi/flask-login@0.6.3', 'pkg:npm/%40types/node@20.1.0'],
  );
  const login = byName(cat.packages, 'flask-login')!;
  assert.equal(login.licenses, 'MIT');
  assert.deepEqual(login.dependsOn, ['flask']);
  assert.equal(login.supplier, 'Person: Matthew Frazier');
});
