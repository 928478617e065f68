import { existsSync } from 'node:fs';
import { isIroncladError } from '../../core/index.ts';
import type { ImageFilesystem } from '../../oci/index.ts';
import { debPurl } from '../../sbom/index.ts';
import { type Distro, openVulnDb, type ScanPackage, scanPackages } from '../../vuln/index.ts';
import { type Check, failed, listSome, passed, skipped } from './check.ts';

export const NO_FIXABLE_CVES = 'no-fixable-critical-high';
export const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release'];
const MAX_OS_RELEASE_BYTES = 64 * 1024;

/** ID and VERSION_ID of os-release(5), first of /etc/os-release and /usr/lib/os-release. */
export async function imageDistro(fs: ImageFilesystem): Promise<Distro | undefined> {
  for (const path of OS_RELEASE_PATHS) {
    const text = await fs
      .readFile(path, MAX_OS_RELEASE_BYTES)
      .then((b) => Buffer.from(b).toString('utf8'))
      .catch((err: unknown) => {
        if (isIroncladError(err)) return undefined;
        throw err;
      });
    if (text === undefined) continue;
    const field = (k: string) => new RegExp(`^${k}=["']?([^"'\\n]*)["']?$`, 'm').exec(text)?.[1];
    const id = field('ID');
    const versionId = field('VERSION_ID');
    if (id !== undefined && versionId !== undefined) return { id, versionId };
  }
  return undefined;
}

/**
 * No known Critical or High vulnerability that has a fix in the distribution: those are the ones a rebuild
 * removes. Runs only when `<home>/vuln.db` exists (scanning is never implicit network access).
 */
export const noFixableCves: Check = async ({ fs, packages, home, log }) => {
  if (!existsSync(home.vulnDb)) {
    return skipped(NO_FIXABLE_CVES, 'no vulnerability database (run `ironclad db update`)');
  }
  const distro = await imageDistro(fs);
  if (distro === undefined) return skipped(NO_FIXABLE_CVES, 'the image has no os-release with ID and VERSION_ID');
  const scan: ScanPackage[] = packages.map((p) => ({
    name: p.name,
    version: p.version,
    ...(p.arch !== undefined && { arch: p.arch }),
    sourceName: p.sourceName,
    sourceVersion: p.sourceVersion,
    purl: debPurl({ name: p.name, version: p.version, distro: null }),
    type: 'deb',
  }));
  let db: ReturnType<typeof openVulnDb>;
  try {
    db = openVulnDb(home);
  } catch (err) {
    if (isIroncladError(err)) return skipped(NO_FIXABLE_CVES, `vulnerability database unusable: ${err.message}`);
    throw err;
  }
  try {
    const result = scanPackages(scan, distro, db, { ignoreUnfixed: true, log });
    // Zero findings from a database without this distribution proves nothing: say so rather than pass.
    if (result.ecosystemRecords === 0) {
      return skipped(NO_FIXABLE_CVES, `the vulnerability database holds no ${result.ecosystem ?? distro.id} records`);
    }
    const bad = result.findings.filter((f) => f.severity === 'critical' || f.severity === 'high');
    if (bad.length === 0) {
      return passed(NO_FIXABLE_CVES, `no fixable critical/high findings in ${scan.length} packages`);
    }
    const names = bad.map((f) => `${f.id} (${f.sourceName} ${f.installedVersion} → ${f.fixedVersion})`);
    return failed(NO_FIXABLE_CVES, `${bad.length} fixable critical/high: ${listSome(names)}`);
  } finally {
    db.close();
  }
};
