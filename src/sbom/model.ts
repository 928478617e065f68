import { fail } from '../core/index.ts';

/**
 * The one package model every cataloger produces and every writer reads (DESIGN.md: catalogers → one package
 * model → SPDX / CycloneDX). Writers never look at the image again, so the builder can produce the same SBOM from
 * its in-memory package list with {@link sbomFromPackages}.
 */

export type PackageType = 'deb' | 'pypi' | 'npm' | 'golang';

export interface SbomChecksum {
  readonly alg: 'SHA256';
  /** Lower-case hex. */
  readonly value: string;
}

export interface SbomPackage {
  readonly type: PackageType;
  readonly name: string;
  readonly version: string;
  readonly arch?: string;
  readonly sourceName?: string;
  readonly sourceVersion?: string;
  readonly purl: string;
  /** An SPDX license expression, or `NOASSERTION` when nothing is known. */
  readonly licenses: string;
  /** SPDX supplier syntax: `Organization: Debian` or `Person: Name (email)`; `NOASSERTION` when unknown. */
  readonly supplier: string;
  readonly checksums?: readonly SbomChecksum[];
  /** Paths (relative to the image root) of the files the package installed, when `--files` asked for them. */
  readonly files?: readonly string[];
  /** Names of other packages of the same type this one depends on (only those present in the document). */
  readonly dependsOn: readonly string[];
  /** The cataloger that found the package, e.g. `dpkg-status-d`. */
  readonly foundBy: string;
  /** Where the package's metadata was read (image-relative paths). */
  readonly locations: readonly string[];
  /** Where the package can be downloaded (Debian pool URL), when known. */
  readonly downloadLocation?: string;
}

export interface SbomDistro {
  /** os-release ID, e.g. `debian`. */
  readonly id: string;
  /** os-release VERSION_ID, e.g. `12`; '' for testing/unstable. */
  readonly versionId: string;
  /** os-release VERSION_CODENAME, e.g. `bookworm`; '' when absent. */
  readonly codename: string;
}

/** Regular files of the image that no package database claims (hand-copied binaries, generated files). */
export interface UnownedFiles {
  /** Regular files examined (package-database files themselves excluded). */
  readonly total: number;
  readonly unowned: number;
  /** The first unowned paths in byte order, at most {@link UNOWNED_SAMPLE}. */
  readonly sample: readonly string[];
}

export const UNOWNED_SAMPLE = 50;

/** A file of the image with its digests (SPDX 2.3 §8.4 requires SHA1 for every file). */
export interface SbomFile {
  /** Relative to the image root. */
  readonly path: string;
  readonly sha1: string;
  readonly sha256: string;
}

/** What the document says about the image itself. */
export interface SbomMeta {
  /** Image name as the user knows it, e.g. `python` or `ghcr.io/acme/app`; no tag or digest. */
  readonly imageName: string;
  /** Manifest digest `sha256:<hex>`. */
  readonly imageDigest: string;
  /** `os/arch[/variant]`. */
  readonly platform: string;
  readonly distro: SbomDistro | null;
  /** Document creation time, ISO 8601 UTC without fractions (from SOURCE_DATE_EPOCH for reproducibility). */
  readonly created: string;
  readonly unowned?: UnownedFiles;
  /** Files to list (`--files`); packages claim them through their `files`. Sorted by path in the document. */
  readonly files?: readonly SbomFile[];
}

export interface SbomDocument extends SbomMeta {
  /** Sorted by type, name, version, arch, purl; purls are unique. */
  readonly packages: readonly SbomPackage[];
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** `SOURCE_DATE_EPOCH` seconds → `2024-01-02T03:04:05Z` (SPDX and CycloneDX both want UTC, no fractions here). */
export function isoFromEpoch(epochSeconds: number): string {
  if (!Number.isSafeInteger(epochSeconds) || epochSeconds < 0) {
    fail('INVALID_INPUT', `invalid SOURCE_DATE_EPOCH ${epochSeconds}: expected a non-negative integer`);
  }
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function comparePackages(a: SbomPackage, b: SbomPackage): number {
  for (const [x, y] of [
    [a.type, b.type],
    [a.name, b.name],
    [a.version, b.version],
    [a.arch ?? '', b.arch ?? ''],
    [a.purl, b.purl],
  ] as const) {
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Builds the document from a package list without an image (the builder's path) or from catalogers' output.
 * Pure: sorts packages (and their dependsOn, files, locations), merges packages with the same purl (the first
 * in input order wins, the others add their locations: one Go module in several binaries), and keeps only
 * dependencies on packages present in the list.
 * @throws IroncladError INVALID_INPUT for a malformed digest or time, or a package without name, version or purl.
 */
export function sbomFromPackages(packages: readonly SbomPackage[], meta: SbomMeta): SbomDocument {
  if (!DIGEST_RE.test(meta.imageDigest)) fail('INVALID_INPUT', `SBOM: image digest ${meta.imageDigest} is not sha256`);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(meta.created)) {
    fail('INVALID_INPUT', `SBOM: creation time ${meta.created} is not an ISO 8601 UTC time`);
  }
  const byPurl = new Map<string, SbomPackage>();
  for (const p of packages) {
    if (p.name === '' || p.version === '' || !p.purl.startsWith('pkg:')) {
      fail('INVALID_INPUT', `SBOM: package ${JSON.stringify(p.name)} lacks a name, version or purl`);
    }
    const seen = byPurl.get(p.purl);
    byPurl.set(p.purl, seen === undefined ? p : { ...seen, locations: [...seen.locations, ...p.locations] });
  }
  const names = new Set([...byPurl.values()].map((p) => `${p.type}/${p.name}`));
  const sorted = [...byPurl.values()]
    .map((p) => ({
      ...p,
      dependsOn: [...new Set(p.dependsOn)].filter((d) => d !== p.name && names.has(`${p.type}/${d}`)).sort(),
      locations: [...new Set(p.locations)].sort(),
      ...(p.files !== undefined && { files: [...new Set(p.files)].sort() }),
    }))
    .sort(comparePackages);
  const files = meta.files === undefined ? undefined : [...meta.files].sort((a, b) => (a.path < b.path ? -1 : 1));
  return { ...meta, ...(files !== undefined && { files }), packages: sorted };
}
