import { type ControlParagraph, parseDependencies } from '../../debian/index.ts';
import { NOASSERTION } from '../licenses.ts';
import type { SbomDistro, SbomPackage } from '../model.ts';
import { debPurl } from '../purl.ts';

/** dpkg's status for a package that is fully installed (dpkg(1), "Package states"). */
export const INSTALLED = 'install ok installed';

/** One installed package as read from a status stanza, before licenses and dependencies are attached. */
export interface DpkgEntry {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  readonly sourceName?: string;
  readonly sourceVersion?: string;
  readonly maintainer?: string;
  /** Names of packages this one depends on, one alternative list per Depends/Pre-Depends group. */
  readonly depends: readonly (readonly string[])[];
  readonly provides: readonly string[];
  readonly location: string;
}

/** `Source: gcc-12 (12.2.0-14)` → name and version; the version only when given (Policy §5.6.1). */
export function parseSourceField(value: string | undefined): { name?: string; version?: string } {
  const m = /^\s*([a-z0-9][a-z0-9+.-]*)\s*(?:\(\s*([^)\s]+)\s*\))?\s*$/.exec(value ?? '');
  if (m?.[1] === undefined) return {};
  return { name: m[1], ...(m[2] !== undefined && { version: m[2] }) };
}

const TEAM_ADDRESS = /@(lists\.debian\.org|lists\.alioth\.debian\.org|tracker\.debian\.org)$/i;

/**
 * SPDX supplier from a `Maintainer:` field (SPDX 2.3 §7.5): Debian team addresses (lists.debian.org, alioth
 * lists, salsa) are organisations, anyone else a person; `Organization: Debian` when the field is absent.
 */
export function supplierFromMaintainer(maintainer: string | undefined): string {
  if (maintainer === undefined || maintainer.trim() === '') return 'Organization: Debian';
  const m = /^\s*(.*?)\s*<([^<>\s]+)>\s*$/.exec(maintainer);
  const name = (m?.[1] ?? maintainer).replace(/[()\n]/g, ' ').trim();
  const email = m?.[2];
  const kind = TEAM_ADDRESS.test(email ?? '') ? 'Organization' : 'Person';
  if (name === '') return NOASSERTION;
  return email === undefined ? `${kind}: ${name}` : `${kind}: ${name} (${email})`;
}

function relationNames(field: string | undefined): string[][] {
  if (field === undefined || field.trim() === '') return [];
  try {
    return parseDependencies(field).map((g) => g.map((r) => r.name));
  } catch {
    // A broken Depends line in a foreign image should not lose the package; it only loses its edges.
    return [];
  }
}

/**
 * A status stanza → entry; null when the stanza is not an installed package (wrong Status, no Package/Version).
 * `requireStatus` is false for status.d, whose stanzas may omit Status (older distroless images do).
 */
export function dpkgEntry(p: ControlParagraph, location: string, requireStatus: boolean): DpkgEntry | null {
  const name = p.get('Package')?.trim();
  const version = p.get('Version')?.trim();
  const status = p.get('Status')?.trim().replace(/\s+/g, ' ');
  if (name === undefined || name === '' || version === undefined || version === '') return null;
  if (status === undefined ? requireStatus : status !== INSTALLED) return null;
  const src = parseSourceField(p.get('Source'));
  const maintainer = p.get('Maintainer')?.trim();
  const provides = relationNames(p.get('Provides')).flat();
  return {
    name,
    version,
    arch: p.get('Architecture')?.trim() ?? '',
    ...(src.name !== undefined && { sourceName: src.name }),
    ...(src.version !== undefined && { sourceVersion: src.version }),
    ...(maintainer !== undefined && { maintainer }),
    depends: [...relationNames(p.get('Pre-Depends')), ...relationNames(p.get('Depends'))],
    provides,
    location,
  };
}

/** Resolves each dependency group to the first alternative present (by name or by Provides). */
export function resolveDepends(entry: DpkgEntry, present: ReadonlySet<string>, providers: ReadonlyMap<string, string>) {
  const out = new Set<string>();
  for (const group of entry.depends) {
    for (const alt of group) {
      const hit = present.has(alt) ? alt : providers.get(alt);
      if (hit !== undefined) {
        out.add(hit);
        break;
      }
    }
  }
  out.delete(entry.name);
  return [...out].sort();
}

/** Entry → model package (licenses, files and dependencies supplied by the cataloger). */
export function dpkgPackage(
  e: DpkgEntry,
  extra: { distro: SbomDistro | null; foundBy: string; licenses: string; dependsOn: string[]; files?: string[] },
): SbomPackage {
  return {
    type: 'deb',
    name: e.name,
    version: e.version,
    ...(e.arch !== '' && { arch: e.arch }),
    sourceName: e.sourceName ?? e.name,
    sourceVersion: e.sourceVersion ?? e.version,
    purl: debPurl({
      name: e.name,
      version: e.version,
      ...(e.arch !== '' && { arch: e.arch }),
      ...(e.sourceName !== undefined && { sourceName: e.sourceName }),
      ...(e.sourceVersion !== undefined && { sourceVersion: e.sourceVersion }),
      distro: extra.distro,
    }),
    licenses: extra.licenses,
    supplier: supplierFromMaintainer(e.maintainer),
    dependsOn: extra.dependsOn,
    foundBy: extra.foundBy,
    locations: [e.location],
    ...(extra.files !== undefined && { files: extra.files }),
  };
}
