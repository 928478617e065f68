import { join } from 'node:path';
import { silentLogger } from '../../src/core/index.ts';
import { flattenImage, imageSourceFrom, layoutBlobStore, type TarEntry } from '../../src/oci/index.ts';
import type { ImageCatalog } from '../../src/sbom/catalog.ts';
import { catalogImage } from '../../src/sbom/index.ts';
import { dir, file, symlink, writeTestImage } from '../support/oci-image.ts';
import { scratchDir } from '../support/scratch-dir.ts';

/** Shared builders for SBOM tests: small images written with our own OCI writer into a fresh layout. */

export const OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n';

export const DEP5 = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: glibc

Files: *
Copyright: 1991-2023 Free Software Foundation, Inc.
License: LGPL-2.1+

Files: debian/*
License: GPL-2+
 This program is free software...

License: LGPL-2.1+
 The GNU C Library is free software...
`;

export function osRelease(): TarEntry[] {
  return [
    dir('etc'),
    dir('usr'),
    dir('usr/lib'),
    file('usr/lib/os-release', OS_RELEASE),
    symlink('etc/os-release', '../usr/lib/os-release'),
  ];
}

export function tempLayout(): string {
  return join(scratchDir('sbom-test-'), 'layout');
}

/** Writes the layers as an image and returns an ImageSource for it. */
export async function imageFrom(layers: readonly (readonly TarEntry[])[]) {
  const layout = tempLayout();
  await writeTestImage(layout, layers);
  return { layout, source: imageSourceFrom(layoutBlobStore(layout), 'latest', { display: `oci:${layout}:latest` }) };
}

export async function catalogOf(layers: readonly (readonly TarEntry[])[], withFiles = false): Promise<ImageCatalog> {
  const { source } = await imageFrom(layers);
  return catalogImage(await source.resolve(), { log: silentLogger, withFiles });
}

export { dir, file, flattenImage, symlink };
