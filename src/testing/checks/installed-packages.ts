import { parseControl } from '../../debian/index.ts';
import type { ImageFilesystem } from '../../oci/index.ts';

/** One package of the image's dpkg database. */
export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  readonly arch?: string;
  /** Source package name; equals `name` when the Source field is absent (Debian Policy §5.6.1). */
  readonly sourceName: string;
  /** Source version: the parenthesised part of Source, else the binary version (binNMUs differ). */
  readonly sourceVersion: string;
}

/** The distroless-style database (one file per package) and dpkg's own single file. */
export const STATUS_D_DIR = 'var/lib/dpkg/status.d/';
export const STATUS_FILE = 'var/lib/dpkg/status';
/** A status file of a big dev image is a few MiB; anything near this is not a dpkg database. */
export const MAX_STATUS_BYTES = 64 * 1024 * 1024;

/** Whether a flattened path belongs to the dpkg database; the test stage captures these while flattening. */
export function isStatusPath(path: string): boolean {
  return path === STATUS_FILE || (path.startsWith(STATUS_D_DIR) && !path.endsWith('.md5sums'));
}

/**
 * Reads the installed packages: every paragraph of each `status.d/<pkg>` file, plus the paragraphs of
 * `status` whose Status is `install ok installed`. Sorted by name, then version.
 * @throws IroncladError INVALID_INPUT for malformed control data or a file over the limit.
 */
export async function installedPackages(fs: ImageFilesystem): Promise<InstalledPackage[]> {
  const out: InstalledPackage[] = [];
  for (const path of fs.paths()) {
    const e = fs.get(path);
    if (e?.type !== 'file' || !isStatusPath(path)) continue;
    const text = Buffer.from(await fs.readFile(path, MAX_STATUS_BYTES)).toString('utf8');
    for (const p of parseControl(text, { what: `/${path}`, maxLength: MAX_STATUS_BYTES })) {
      const status = p.get('Status');
      if (path === STATUS_FILE && status !== undefined && !status.endsWith(' installed')) continue;
      const name = p.get('Package');
      const version = p.get('Version');
      if (name === undefined || version === undefined) continue;
      const source = /^(\S+)(?:\s+\((\S+)\))?$/.exec(p.get('Source')?.trim() ?? '');
      const arch = p.get('Architecture');
      out.push({
        name,
        version,
        ...(arch !== undefined && { arch }),
        sourceName: source?.[1] ?? name,
        sourceVersion: source?.[2] ?? version,
      });
    }
  }
  return out.sort((a, b) => (a.name === b.name ? cmp(a.version, b.version) : cmp(a.name, b.name)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
