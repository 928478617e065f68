import { parseDependencies } from '../../src/debian/index.ts';
import { parseProvides, parseRelationList } from '../../src/debian/relations.ts';
import type { PackageEntry } from '../../src/debian/types.ts';

/** A compact description of a package for hand-made resolver universes; relations are written as in control files. */
export interface Spec {
  v?: string;
  arch?: string;
  suite?: string;
  depends?: string;
  preDepends?: string;
  provides?: string;
  conflicts?: string;
  breaks?: string;
  multiArch?: PackageEntry['multiArch'];
  essential?: boolean;
  priority?: string;
}

/** A PackageEntry from a compact spec; relationship fields are written as in a control file. */
export function pkg(name: string, s: Spec = {}): PackageEntry {
  const version = s.v ?? '1.0';
  const architecture = s.arch ?? 'amd64';
  return {
    name,
    version,
    architecture,
    source: name,
    sourceVersion: version,
    filename: `pool/main/${name}_${version}_${architecture}.deb`,
    size: 1,
    sha256: '0'.repeat(64),
    multiArch: s.multiArch ?? 'no',
    essential: s.essential ?? false,
    priority: s.priority ?? 'optional',
    section: 'misc',
    installedSize: 1,
    maintainer: '',
    description: '',
    homepage: '',
    depends: parseDependencies(s.depends ?? ''),
    preDepends: parseDependencies(s.preDepends ?? ''),
    provides: parseProvides(s.provides ?? ''),
    conflicts: parseRelationList(s.conflicts ?? ''),
    breaks: parseRelationList(s.breaks ?? ''),
    suite: s.suite ?? 'bookworm',
    component: 'main',
    baseUrl: 'https://deb.debian.org/debian',
    fields: new Map(),
  };
}
