import { parseDependencies } from '../debian/index.ts';
import type { LockedPlatform } from '../definition/index.ts';
import type { TarEntry } from '../oci/index.ts';
import {
  debPurl,
  EMBEDDED_SBOM_PATH,
  isoFromEpoch,
  licensesFromCopyright,
  NOASSERTION,
  type SbomDistro,
  type SbomPackage,
  sbomFromPackages,
  supplierFromMaintainer,
  writeSpdxJson,
} from '../sbom/index.ts';
import type { FileTree } from './file-tree.ts';
import { ancestorsOf } from './file-tree.ts';
import { DPKG_STATUS } from './synthesize/dpkg-database.ts';
import { STATUS_D } from './synthesize/status-d.ts';

/**
 * The SBOM packages of a built tree, from what the build knows first-hand: the lock (checksums, pool URLs) and
 * the control paragraphs, with licenses from the machine-readable copyright files kept in the image.
 */
export function treeSbomPackages(tree: FileTree, locked: LockedPlatform, distro: SbomDistro): SbomPackage[] {
  const baseUrls = new Map(locked.suites.map((s) => [s.suite, s.baseUrl]));
  const present = new Set(tree.packages.map((p) => p.locked.name));
  return tree.packages.map((p) => {
    const l = p.locked;
    const copyright = tree.nodes.get(`usr/share/doc/${l.name}/copyright`);
    const depends = `${p.control.get('Pre-Depends') ?? ''}, ${p.control.get('Depends') ?? ''}`;
    const dependsOn = parseDependencies(depends, { architecture: l.architecture })
      .flatMap((group) => group.map((r) => r.name))
      .filter((n, i, all) => present.has(n) && n !== l.name && all.indexOf(n) === i)
      .sort();
    const hasSource = p.control.get('Source') !== undefined;
    return {
      type: 'deb',
      name: l.name,
      version: l.version,
      arch: l.architecture,
      ...(hasSource && { sourceName: l.source }),
      ...(hasSource && l.sourceVersion !== l.version && { sourceVersion: l.sourceVersion }),
      purl: debPurl({
        name: l.name,
        version: l.version,
        arch: l.architecture,
        ...(hasSource && { sourceName: l.source }),
        ...(hasSource && l.sourceVersion !== l.version && { sourceVersion: l.sourceVersion }),
        distro,
      }),
      licenses:
        copyright?.type === 'file' ? licensesFromCopyright(new TextDecoder().decode(copyright.data)) : NOASSERTION,
      supplier: supplierFromMaintainer(p.control.get('Maintainer') ?? ''),
      checksums: [{ alg: 'SHA256', value: l.sha256 }],
      dependsOn,
      foundBy: 'ironclad-build',
      // Runtime images list the package in status.d; dev images in dpkg's own status file.
      locations: [tree.nodes.has(`${STATUS_D}/${l.name}`) ? `${STATUS_D}/${l.name}` : DPKG_STATUS],
      ...(baseUrls.has(l.suite) && { downloadLocation: `${baseUrls.get(l.suite)}/${l.filename}` }),
    } satisfies SbomPackage;
  });
}

/**
 * The SPDX document embedded in the image. An image cannot contain its own digest, so the document names the
 * locked package set instead (`packagesDigest`); the SBOMs kept beside the image carry the manifest digest.
 */
export function embeddedSbomBytes(
  packages: readonly SbomPackage[],
  meta: { imageName: string; platform: string; distro: SbomDistro; epoch: number; packagesDigest: string },
): Uint8Array {
  return writeSpdxJson(
    sbomFromPackages(packages, {
      imageName: meta.imageName,
      imageDigest: meta.packagesDigest,
      platform: meta.platform,
      distro: meta.distro,
      created: isoFromEpoch(meta.epoch),
    }),
  );
}

/** The SBOM's own small layer: parents as the tree has them, then the document. */
export function sbomLayerEntries(tree: FileTree, sbom: Uint8Array, epoch: number): TarEntry[] {
  const dirs = ancestorsOf(EMBEDDED_SBOM_PATH).map((path): TarEntry => {
    const node = tree.nodes.get(path);
    const meta = node?.type === 'dir' ? node : { mode: 0o755, uid: 0, gid: 0, mtime: epoch };
    return { type: 'dir', path, mode: meta.mode, uid: meta.uid, gid: meta.gid, mtime: Math.min(meta.mtime, epoch) };
  });
  return [...dirs, { type: 'file', path: EMBEDDED_SBOM_PATH, mode: 0o644, uid: 0, gid: 0, mtime: epoch, data: sbom }];
}
