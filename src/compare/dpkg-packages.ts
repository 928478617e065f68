import { fail } from '../core/index.ts';
import { type ControlParagraph, iterateParagraphs } from '../debian/index.ts';

/**
 * Installed Debian packages from dpkg's database in both layouts scanners read: `var/lib/dpkg/status`
 * (a dpkg-managed system) and `var/lib/dpkg/status.d/<name>` (distroless and Ironclad images).
 */

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  /** Source package; the binary name when the stanza has no `Source`. */
  readonly sourceName: string;
  /** Source version, from `Source: name (version)` for binNMUs; the binary version otherwise. */
  readonly sourceVersion: string;
}

export const DPKG_STATUS = 'var/lib/dpkg/status';
export const DPKG_STATUS_D = 'var/lib/dpkg/status.d/';

/** dpkg's status on a large system is a few MiB; 64 MiB bounds memory for hostile input. */
export const MAX_DPKG_STATUS_BYTES = 64 * 1024 * 1024;

/** Whether a path is one status.d stanza file (not its `.md5sums` companion, not a hidden or nested file). */
export function isStatusDFile(path: string): boolean {
  if (!path.startsWith(DPKG_STATUS_D)) return false;
  const base = path.slice(DPKG_STATUS_D.length);
  return base !== '' && !base.includes('/') && !base.startsWith('.') && !base.endsWith('.md5sums');
}

/**
 * A stanza as an installed package, or null when dpkg would not call it installed. `Status` is
 * `want flag state` (dpkg(1), "INFORMATION ABOUT PACKAGES"); only state `installed` counts. status.d stanzas
 * written without a `Status` field (some distroless generators) are installed by construction.
 * @throws IroncladError INVALID_INPUT when Package or Version is missing.
 */
export function stanzaPackage(p: ControlParagraph, what: string): InstalledPackage | null {
  const status = p.get('Status');
  if (status !== undefined && status.trim().split(/\s+/)[2] !== 'installed') return null;
  const name = p.get('Package')?.trim();
  const version = p.get('Version')?.trim();
  if (!name || !version) fail('INVALID_INPUT', `${what}, line ${p.line}: a stanza without Package or Version`);
  const source = /^(\S+)(?:\s+\((\S+)\))?\s*$/.exec(p.get('Source') ?? '');
  return {
    name,
    version,
    arch: p.get('Architecture')?.trim() ?? '',
    sourceName: source?.[1] ?? name,
    sourceVersion: source?.[2] ?? version,
  };
}

/**
 * Packages from the status file text (if any) and status.d stanza texts, sorted by name then arch. When both
 * list a `name:arch`, status.d wins, as it is the layout the image was built with.
 */
export function installedPackages(
  status: string | undefined,
  statusD: readonly { path: string; text: string }[],
): InstalledPackage[] {
  const out = new Map<string, InstalledPackage>();
  const add = (text: string, what: string) => {
    for (const para of iterateParagraphs(text, { what, maxLength: MAX_DPKG_STATUS_BYTES })) {
      const pkg = stanzaPackage(para, what);
      if (pkg !== null) out.set(`${pkg.name}:${pkg.arch}`, pkg);
    }
  };
  if (status !== undefined) add(status, `/${DPKG_STATUS}`);
  for (const f of statusD) add(f.text, `/${f.path}`);
  return [...out.values()].sort((a, b) => (a.name === b.name ? (a.arch < b.arch ? -1 : 1) : a.name < b.name ? -1 : 1));
}
