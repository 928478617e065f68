import { isIroncladError } from '../../core/index.ts';
import { EMBEDDED_SBOM_PATH } from '../../sbom/index.ts';
import { type Check, failed, listSome, passed, skipped } from './check.ts';

export const EMBEDDED_SBOM = 'embedded-sbom';
/** An SBOM of a large image is a few MiB; this bounds what we parse. */
export const MAX_EMBEDDED_SBOM_BYTES = 64 * 1024 * 1024;

/**
 * Debian packages of an SPDX 2.3 JSON document: packages with a `purl` external reference of type `deb`
 * (SPDX 2.3 §7.21, purl-spec), as `name version`. Other packages (the image itself, files) are not dpkg's.
 * Returns a reason string when the document is not SPDX JSON.
 */
export function spdxDebPackages(bytes: Uint8Array): Set<string> | string {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return 'it is not JSON';
  }
  const packages = (doc as { packages?: unknown } | null)?.packages;
  if (typeof doc !== 'object' || doc === null || !('spdxVersion' in doc) || !Array.isArray(packages)) {
    return 'it is not an SPDX JSON document with packages';
  }
  const out = new Set<string>();
  for (const p of packages as unknown[]) {
    if (typeof p !== 'object' || p === null) continue;
    const { name, versionInfo, externalRefs } = p as { name?: unknown; versionInfo?: unknown; externalRefs?: unknown };
    const refs = Array.isArray(externalRefs)
      ? (externalRefs as { referenceType?: unknown; referenceLocator?: unknown }[])
      : [];
    const isDeb = refs.some(
      (r) =>
        r?.referenceType === 'purl' &&
        typeof r.referenceLocator === 'string' &&
        r.referenceLocator.startsWith('pkg:deb/'),
    );
    if (isDeb && typeof name === 'string' && typeof versionInfo === 'string') out.add(`${name} ${versionInfo}`);
  }
  return out;
}

/**
 * The image carries its SBOM at EMBEDDED_SBOM_PATH and it lists exactly the packages of the image's dpkg
 * database, names and versions. Skipped for images Ironclad did not build: nobody promised an SBOM there.
 */
export const embeddedSbom: Check = async ({ fs, expect, packages }) => {
  if (!expect.ours) return skipped(EMBEDDED_SBOM, 'not an Ironclad image (no dev.ironclad labels or definition)');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(EMBEDDED_SBOM_PATH, MAX_EMBEDDED_SBOM_BYTES);
  } catch (err) {
    if (isIroncladError(err, 'NOT_FOUND')) return failed(EMBEDDED_SBOM, `/${EMBEDDED_SBOM_PATH} is missing`);
    if (isIroncladError(err)) return failed(EMBEDDED_SBOM, `/${EMBEDDED_SBOM_PATH}: ${err.message}`);
    throw err;
  }
  const listed = spdxDebPackages(bytes);
  if (typeof listed === 'string') return failed(EMBEDDED_SBOM, `/${EMBEDDED_SBOM_PATH}: ${listed}`);
  const installed = new Set(packages.map((p) => `${p.name} ${p.version}`));
  const missing = [...installed].filter((p) => !listed.has(p));
  const extra = [...listed].filter((p) => !installed.has(p));
  if (missing.length === 0 && extra.length === 0) {
    return passed(EMBEDDED_SBOM, `lists the ${installed.size} installed packages`);
  }
  const parts = [
    ...(missing.length > 0 ? [`installed but not listed: ${listSome(missing)}`] : []),
    ...(extra.length > 0 ? [`listed but not installed: ${listSome(extra)}`] : []),
  ];
  return failed(EMBEDDED_SBOM, `SBOM does not match the dpkg database: ${parts.join('; ')}`);
};
