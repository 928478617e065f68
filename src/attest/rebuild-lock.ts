import { fail } from '../core/index.ts';
import { debianArchitecture } from '../debian/index.ts';
import type { LockedPackage, LockedPlatform, LockedSuite } from '../definition/index.ts';
import type { ProvenanceDependency, ReadProvenance } from './predicates/index.ts';

/*
 * The inverse of provenance generation for one platform: the lock entry a build used, rebuilt from the
 * provenance's resolved dependencies (docs/build-type.md). Field order follows the lockfile's, because the
 * embedded SBOM layer records a digest of the package list as serialised.
 */

/**
 * Reconstructs the LockedPlatform recorded in `prov`: each suite from its InRelease dependency, each .deb from
 * its dependency (pool filename = URI below its suite's base URL, plus the size and source annotations).
 * @throws IroncladError `INVALID_INPUT` when a dependency cannot be mapped back (unknown suite, a URI outside
 *   the suite's archive, or no size/source annotations, as in provenance from before they were recorded).
 */
export function lockedPlatformFromProvenance(prov: ReadProvenance): LockedPlatform {
  const suites = prov.dependencies.flatMap((d) => (d.kind === 'suite' ? [suiteOf(d)] : []));
  const bases = new Map(suites.map((s) => [s.suite, s.baseUrl]));
  const packages = prov.dependencies.flatMap((d) => (d.kind === 'package' ? [packageOf(d, bases)] : []));
  if (packages.length === 0) fail('INVALID_INPUT', 'provenance: lists no .deb packages');
  return {
    platform: prov.platform,
    architecture: debianArchitecture(prov.platform),
    suites,
    packages,
    excluded: [],
  };
}

function suiteOf(d: Extract<ProvenanceDependency, { kind: 'suite' }>): LockedSuite {
  const tail = `/dists/${d.suite}/InRelease`;
  if (!d.uri.endsWith(tail)) fail('INVALID_INPUT', `provenance: suite ${d.suite} has an unexpected URI ${d.uri}`);
  return { suite: d.suite, baseUrl: d.uri.slice(0, -tail.length), date: d.date, inReleaseSha256: d.inReleaseSha256 };
}

function packageOf(d: Extract<ProvenanceDependency, { kind: 'package' }>, bases: Map<string, string>): LockedPackage {
  const base = bases.get(d.suite);
  if (base === undefined) fail('INVALID_INPUT', `provenance: package ${d.name} names unknown suite ${d.suite}`);
  if (!d.uri.startsWith(`${base}/`)) {
    fail('INVALID_INPUT', `provenance: package ${d.name} is not below its suite's archive ${base}`);
  }
  if (d.size === undefined || d.source === undefined || d.sourceVersion === undefined) {
    fail('INVALID_INPUT', `provenance: package ${d.name} has no size and source annotations`, {
      hint: 'the image was built by an Ironclad version that did not record them; it cannot be rebuilt from provenance',
    });
  }
  return {
    name: d.name,
    version: d.version,
    architecture: d.architecture,
    source: d.source,
    sourceVersion: d.sourceVersion,
    suite: d.suite,
    filename: d.uri.slice(base.length + 1),
    size: d.size,
    sha256: d.sha256,
  };
}
