/**
 * SBOM benchmark on a synthetic distroless-style image: ~400 packages in status.d, each with an md5sums list,
 * a copyright file and a few files of its own, in 8 layers.
 *   node --import tsx bench/sbom.ts
 * Prints the time to write the image (reference), then cold and warm SBOM generation and the two writers, with
 * the ratio of a warm SBOM to the reference on this machine.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext } from '../src/core/context.ts';
import { imageSourceFrom, layoutBlobStore, type TarEntry } from '../src/oci/index.ts';
import { generateSbom, writeCycloneDxJson, writeSpdxJson } from '../src/sbom/index.ts';
import { writeTestImage } from '../test/support/oci-image.ts';

const PACKAGES = 400;
const FILES_PER_PACKAGE = 10;
const LAYERS = 8;
const MTIME = 1700000000;

const f = (path: string, text: string): TarEntry => ({
  type: 'file',
  path,
  mode: 0o644,
  uid: 0,
  gid: 0,
  mtime: MTIME,
  data: new TextEncoder().encode(text),
});

function packageEntries(i: number): TarEntry[] {
  const name = `pkg${i}`;
  const files = Array.from({ length: FILES_PER_PACKAGE }, (_, k) => `usr/lib/${name}/file${k}`);
  const deps = i > 0 ? `Depends: pkg${i - 1} (>= 1.0), pkg${Math.floor(i / 2)}\n` : '';
  return [
    f(
      `var/lib/dpkg/status.d/${name}`,
      `Package: ${name}\nStatus: install ok installed\nMaintainer: Bench <bench@lists.debian.org>\nArchitecture: amd64\nSource: src${Math.floor(i / 3)} (1.${i}-1)\nVersion: 1.${i}-1+b1\n${deps}Description: synthetic\n`,
    ),
    f(`var/lib/dpkg/status.d/${name}.md5sums`, files.map((p) => `${'0'.repeat(32)}  ${p}\n`).join('')),
    f(
      `usr/share/doc/${name}/copyright`,
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-2+\n',
    ),
    ...files.map((p) => f(p, `${p}\n`.repeat(50))),
  ];
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}

const work = await mkdtemp(join(tmpdir(), 'ironclad-bench-sbom-'));
try {
  const layout = join(work, 'layout');
  const layers: TarEntry[][] = Array.from({ length: LAYERS }, () => []);
  layers[0]!.push(f('etc/os-release', 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'));
  for (let i = 0; i < PACKAGES; i++) layers[i % LAYERS]!.push(...packageEntries(i));
  const [, writeMs] = await time(() => writeTestImage(layout, layers));
  const source = imageSourceFrom(layoutBlobStore(layout), 'latest');
  const ctx = createContext({ home: work });
  const [, coldMs] = await time(() => generateSbom(source, { imageName: 'bench' }, ctx));
  const [doc, warmMs] = await time(() => generateSbom(source, { imageName: 'bench' }, ctx));
  const [spdx, spdxMs] = await time(async () => writeSpdxJson(doc));
  const [cdx, cdxMs] = await time(async () => writeCycloneDxJson(doc));
  const [, filesMs] = await time(() => generateSbom(source, { imageName: 'bench', files: true }, ctx));
  console.log(`image: ${PACKAGES} packages, ${PACKAGES * (FILES_PER_PACKAGE + 3)} files, ${LAYERS} layers`);
  console.log(`write image (reference)  ${writeMs.toFixed(0)} ms`);
  console.log(`sbom cold                ${coldMs.toFixed(0)} ms`);
  console.log(`sbom warm                ${warmMs.toFixed(0)} ms  (${(warmMs / writeMs).toFixed(2)}x reference)`);
  console.log(`sbom --files             ${filesMs.toFixed(0)} ms`);
  console.log(`write SPDX               ${spdxMs.toFixed(1)} ms  (${spdx.byteLength} bytes)`);
  console.log(`write CycloneDX          ${cdxMs.toFixed(1)} ms  (${cdx.byteLength} bytes)`);
  console.log(`packages found           ${doc.packages.length}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
