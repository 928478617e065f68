import { createContext } from '../../src/core/context.ts';
import { generateSbom } from '../../src/sbom/index.ts';
import type { SbomDocument } from '../../src/sbom/model.ts';
import { DEP5, dir, file, imageFrom, osRelease } from './images.ts';

/** A small image with Debian, Python and npm packages, a LicenseRef license and an unowned file. */
export async function sampleImage() {
  const sp = 'usr/lib/python3/dist-packages';
  return imageFrom([
    [
      ...osRelease(),
      dir('var'),
      dir('var/lib'),
      dir('var/lib/dpkg'),
      dir('var/lib/dpkg/status.d'),
      file(
        'var/lib/dpkg/status.d/libc6',
        'Package: libc6\nStatus: install ok installed\nMaintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u4\nDepends: libgcc-s1\nDescription: libc\n',
      ),
      file('var/lib/dpkg/status.d/libc6.md5sums', 'd41d8cd98f00b204e9800998ecf8427e  usr/lib/libc.so.6\n'),
      file(
        'var/lib/dpkg/status.d/libgcc-s1',
        'Package: libgcc-s1\nArchitecture: amd64\nSource: gcc-12 (12.2.0-14)\nVersion: 1:12.2.0-14+deb12u1\nDescription: gcc\n',
      ),
      file('usr/lib/libc.so.6', 'libc'),
      dir('usr/share'),
      dir('usr/share/doc'),
      dir('usr/share/doc/libc6'),
      file('usr/share/doc/libc6/copyright', `${DEP5}\nFiles: odd/*\nLicense: Odd-License\n`),
      dir('usr/lib/python3'),
      dir(sp),
      dir(`${sp}/six-1.16.0.dist-info`),
      file(`${sp}/six-1.16.0.dist-info/METADATA`, 'Name: six\nVersion: 1.16.0\nLicense: MIT\n'),
      dir('app'),
      dir('app/node_modules'),
      dir('app/node_modules/lodash'),
      file('app/node_modules/lodash/package.json', '{"name":"lodash","version":"4.17.21","license":"MIT"}'),
    ],
  ]);
}

export async function sampleDocument(files = false): Promise<SbomDocument> {
  const { source } = await sampleImage();
  return generateSbom(
    source,
    { files, created: '2024-01-02T03:04:05Z', imageName: 'sample' },
    createContext({ home: '' }),
  );
}
