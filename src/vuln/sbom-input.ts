import { fail } from '../core/index.ts';
import { type Purl, parsePurl } from '../sbom/index.ts';
import type { Distro, PackageType, ScanPackage } from './types.ts';

/**
 * Reads a scan input from an SBOM file: SPDX 2.3 JSON (`packages[].externalRefs[]` of type `purl`) or
 * CycloneDX JSON (`components[].purl`, nested components included). Only purls matter: Debian ones
 * carry everything the matcher needs (`pkg:deb/debian/NAME@VER?arch=..&upstream=SRC%40SRCVER&distro=debian-12`).
 */

export const MAX_SBOM_BYTES = 64 * 1024 * 1024;

export interface SbomScanInput {
  readonly format: 'spdx' | 'cyclonedx';
  readonly packages: readonly ScanPackage[];
  /** From a `distro=` purl qualifier or a CycloneDX operating-system component; null when absent. */
  readonly distro: Distro | null;
  /** From a `pkg:oci/...@sha256:...` purl describing the image, when present. */
  readonly imageDigest: string | null;
}

const TYPES: Readonly<Record<string, PackageType>> = { deb: 'deb', pypi: 'pypi', npm: 'npm', golang: 'golang' };

/** `upstream=SRC` or `upstream=SRC@SRCVER` (the qualifier syft and Ironclad write) → source name and version. */
function upstreamOf(p: Purl, version: string): { sourceName: string; sourceVersion: string } {
  const up = p.qualifiers.get('upstream');
  if (up === undefined) return { sourceName: p.name, sourceVersion: version };
  const at = up.indexOf('@');
  if (at < 0) return { sourceName: up, sourceVersion: version };
  return { sourceName: up.slice(0, at), sourceVersion: up.slice(at + 1) };
}

/** Turns one purl into a scan package; null for types the scanner does not know or purls without a version. */
export function packageFromPurl(text: string): ScanPackage | null {
  const p = parsePurl(text);
  const type = p === null ? undefined : TYPES[p.type];
  if (p === null || type === undefined || p.version === null) return null;
  const name = p.namespace !== '' && type !== 'deb' ? `${p.namespace}/${p.name}` : p.name;
  const src = type === 'deb' ? upstreamOf(p, p.version) : { sourceName: name, sourceVersion: p.version };
  const arch = p.qualifiers.get('arch');
  return { name, version: p.version, ...(arch !== undefined ? { arch } : {}), ...src, purl: text, type };
}

/** `distro=debian-12` → `{id: 'debian', versionId: '12'}`. */
function distroFromPurl(p: Purl): Distro | null {
  const m = /^([a-z]+)-(\d+(?:\.\d+)*)$/.exec(p.qualifiers.get('distro') ?? '');
  return m?.[1] !== undefined && m[2] !== undefined ? { id: m[1], versionId: m[2] } : null;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function spdxPurls(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const pkg of Array.isArray(doc.packages) ? doc.packages : []) {
    if (!isObj(pkg) || !Array.isArray(pkg.externalRefs)) continue;
    for (const ref of pkg.externalRefs) {
      if (isObj(ref) && ref.referenceType === 'purl' && typeof ref.referenceLocator === 'string') {
        out.push(ref.referenceLocator);
      }
    }
  }
  return out;
}

function cdxPurls(components: unknown, out: string[], depth = 0): string[] {
  if (!Array.isArray(components) || depth > 32) return out;
  for (const c of components) {
    if (!isObj(c)) continue;
    if (typeof c.purl === 'string') out.push(c.purl);
    cdxPurls(c.components, out, depth + 1);
  }
  return out;
}

function cdxDistro(doc: Record<string, unknown>): Distro | null {
  const meta = isObj(doc.metadata) ? doc.metadata : {};
  const all = [
    ...(isObj(meta.component) ? [meta.component] : []),
    ...(Array.isArray(doc.components) ? doc.components : []),
  ];
  for (const c of all) {
    if (isObj(c) && c.type === 'operating-system' && typeof c.name === 'string' && typeof c.version === 'string') {
      return { id: c.name.toLowerCase(), versionId: c.version };
    }
  }
  return null;
}

/** Parses SBOM bytes (at most MAX_SBOM_BYTES). Throws INVALID_INPUT for anything not SPDX/CycloneDX JSON. */
export function parseSbomForScan(bytes: Uint8Array, what: string): SbomScanInput {
  if (bytes.byteLength > MAX_SBOM_BYTES) fail('INVALID_INPUT', `${what}: larger than ${MAX_SBOM_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    fail('INVALID_INPUT', `${what}: not valid JSON`, { cause: err, hint: 'pass an SPDX 2.3 or CycloneDX JSON SBOM' });
  }
  if (!isObj(doc)) fail('INVALID_INPUT', `${what}: not an SBOM (expected a JSON object)`);
  let format: SbomScanInput['format'];
  let purls: string[];
  if (typeof doc.spdxVersion === 'string') {
    format = 'spdx';
    purls = spdxPurls(doc);
  } else if (doc.bomFormat === 'CycloneDX') {
    format = 'cyclonedx';
    const meta = isObj(doc.metadata) && isObj(doc.metadata.component) ? [doc.metadata.component] : [];
    purls = cdxPurls(doc.components, cdxPurls(meta, []));
  } else {
    fail('INVALID_INPUT', `${what}: neither SPDX (spdxVersion) nor CycloneDX (bomFormat) JSON`);
  }
  const parsed = purls.map(parsePurl).filter((p): p is Purl => p !== null);
  const image = parsed.find((p) => p.type === 'oci' && p.version?.startsWith('sha256:'));
  const distro = parsed.map(distroFromPurl).find((d) => d !== null) ?? (format === 'cyclonedx' ? cdxDistro(doc) : null);
  const seen = new Set<string>();
  const packages = purls
    .map(packageFromPurl)
    .filter((p): p is ScanPackage => p !== null && !seen.has(p.purl) && seen.add(p.purl) !== undefined);
  return { format, packages, distro: distro ?? null, imageDigest: image?.version ?? null };
}
