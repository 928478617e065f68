import { fail, IroncladError } from '../../core/index.ts';
import type { SbomPackage } from '../model.ts';
import { golangPurl } from '../purl.ts';
import type { CatalogContext, Cataloger, CatalogResult } from './cataloger.ts';
import { type GoBuildInfo, isElf, readGoBuildInfo } from './go-buildinfo.ts';
import { forEachFileContent } from './layer-content.ts';

/**
 * Go modules compiled into binaries, from their embedded build info (go-buildinfo.ts). Candidates are regular
 * files with an execute bit; only ELF files are kept in memory, one at a time, up to {@link MAX_GO_BINARY_BYTES}.
 * Each binary yields its main module, its dependencies and the Go standard library (as syft reports `stdlib`).
 */

/** Larger Go binaries exist (kubelet is ~110 MB); past this we skip rather than hold the file in memory. */
export const MAX_GO_BINARY_BYTES = 512 * 1024 * 1024;
/** Below the ELF header size nothing can be a binary. */
const MIN_BINARY_BYTES = 64;

function modulePackage(path: string, version: string, location: string, dependsOn: string[]): SbomPackage {
  return {
    type: 'golang',
    name: path,
    version,
    purl: golangPurl(path, version),
    licenses: 'NOASSERTION',
    supplier: 'NOASSERTION',
    dependsOn,
    foundBy: 'go-module-binary-cataloger',
    locations: [location],
  };
}

/** The packages one binary contributes. */
export function packagesFromBuildInfo(info: GoBuildInfo, location: string): SbomPackage[] {
  const out: SbomPackage[] = [];
  const deps = info.deps.filter((d) => d.version !== '');
  const stdlib = info.goVersion.replace(/^go/, '').split(/\s/)[0] ?? '';
  if (info.main !== undefined && info.main.path !== '') {
    const version = info.main.version === '' ? '(devel)' : info.main.version;
    out.push(modulePackage(info.main.path, version, location, [...deps.map((d) => d.path), 'stdlib']));
  }
  for (const d of deps) out.push(modulePackage(d.path, d.version, location, []));
  if (/^\d+\.\d+/.test(stdlib)) out.push(modulePackage('stdlib', stdlib, location, []));
  return out;
}

async function catalog(ctx: CatalogContext): Promise<CatalogResult> {
  const candidates = ctx.files(() => true).filter((e) => (e.mode & 0o111) !== 0 && e.size >= MIN_BINARY_BYTES);
  const packages: SbomPackage[] = [];
  await forEachFileContent(ctx.fs, candidates, { accept: isElf, maxBytes: MAX_GO_BINARY_BYTES }, (e, bytes) => {
    let info: GoBuildInfo | null;
    try {
      info = readGoBuildInfo(bytes);
    } catch (err) {
      // A binary with corrupt build info is still a file in the image; say so and go on.
      if (err instanceof IroncladError && err.code === 'INVALID_INPUT') {
        ctx.log.warn(`${e.path}: unreadable Go build info (${err.message})`);
        return;
      }
      fail('INTERNAL', `reading Go build info of ${e.path}`, { cause: err });
    }
    if (info !== null) packages.push(...packagesFromBuildInfo(info, e.path));
  });
  return { packages, owned: new Set(), metadataFiles: new Set() };
}

export const goCataloger: Cataloger = { name: 'go', captures: () => false, catalog };
