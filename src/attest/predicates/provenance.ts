import { fail } from '../../core/index.ts';
import { isRecord } from '../encoding.ts';
import { readProvenance } from './provenance-read.ts';

/*
 * SLSA Provenance v1 predicate (https://slsa.dev/spec/v1.0/provenance) for an Ironclad image build. The build type
 * and the meaning of every parameter are documented in docs/build-type.md; keep the two in step.
 */

/** Our buildType URI; a new major version of the parameter schema gets a new URI. */
export const IRONCLAD_BUILD_TYPE = 'https://ironclad.dev/build/v1';

/** SLSA ResourceDescriptor (in-toto spec/v1/resource_descriptor.md), the fields we use. */
export interface ResourceDescriptor {
  readonly uri?: string;
  readonly digest?: Readonly<Record<string, string>>;
  readonly name?: string;
  readonly mediaType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The predicate as written. */
export interface SlsaProvenance {
  readonly buildDefinition: {
    readonly buildType: string;
    readonly externalParameters: Readonly<Record<string, unknown>>;
    readonly internalParameters: Readonly<Record<string, unknown>>;
    readonly resolvedDependencies: readonly ResourceDescriptor[];
  };
  readonly runDetails: {
    readonly builder: { readonly id: string; readonly version?: Readonly<Record<string, string>> };
    readonly metadata?: { readonly invocationId?: string; readonly startedOn?: string; readonly finishedOn?: string };
    readonly byproducts?: readonly ResourceDescriptor[];
  };
}

/** A locked package; structurally a subset of the lockfile's LockedPackage, so lock entries can be passed as is. */
export interface ProvenancePackage {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  readonly suite: string;
  /** Pool path relative to the suite's archive base URL. */
  readonly filename: string;
  readonly sha256: string;
  /** Source package name and version and the .deb's size: what a rebuild needs besides the digest. */
  readonly source?: string;
  readonly sourceVersion?: string;
  readonly size?: number;
}

/** A verified archive suite; structurally a subset of the lockfile's LockedSuite. */
export interface ProvenanceSuite {
  readonly suite: string;
  /** Archive base URL, e.g. `http://deb.debian.org/debian`. */
  readonly baseUrl: string;
  readonly date: string;
  readonly inReleaseSha256: string;
}

/** Everything a provenance document states, as plain data from the builder. */
export interface ProvenanceInput {
  readonly definition: ProvenanceDefinition;
  readonly variant: string;
  /** OCI platform, e.g. `linux/amd64`. */
  readonly platform: string;
  /** The repository holding the definition, when the build knows it (e.g. a git checkout). */
  readonly source?: { readonly repository: string; readonly revision: string };
  /** True when the image tests were skipped (`--no-test`); consumers may refuse such images. */
  readonly noTest: boolean;
  /** Layer compression when it is not gzip (recorded only then, so gzip provenance reads as before). */
  readonly compression?: 'zstd';
  readonly ironcladVersion: string;
  readonly sourceDateEpoch: number;
  readonly suites: readonly ProvenanceSuite[];
  readonly packages: readonly ProvenancePackage[];
  /** URI of the build platform that ran the build, e.g. a CI workflow or `https://ironclad.dev/builder/local`. */
  readonly builderId: string;
  readonly invocationId?: string;
  /** RFC 3339; omitted when the caller wants fully reproducible provenance. */
  readonly startedOn?: string;
  readonly finishedOn?: string;
  readonly byproducts?: readonly ResourceDescriptor[];
  /** For a customization (docs/customization.md): the base image its first layers are. */
  readonly base?: ProvenanceBase;
}

/** The definition an image was built from (docs/build-type.md, `externalParameters.definition`). */
export interface ProvenanceDefinition {
  readonly path: string;
  readonly sha256: string;
  /**
   * The definition document as built (without its `catalog:` block; a customization merged with its base), so that
   * a published image can be extended from its provenance alone (docs/customization.md). Platform provenance only.
   */
  readonly document?: Readonly<Record<string, unknown>>;
}

/** The base of a customization, as `externalParameters.base` records it (docs/build-type.md). */
export interface ProvenanceBase {
  /** The base image's `name:tag`. */
  readonly name: string;
  /** The base image's platform manifest digest (hex), the one the base's own build gives. */
  readonly manifestSha256: string;
  readonly variant: string;
  readonly definition: { readonly path: string; readonly sha256: string };
  readonly sourceDateEpoch: number;
  /** The base's packages by name; the other resolved .debs are what the customization added. */
  readonly packages: readonly string[];
  /** When the base is itself a customization: its own base (a rebuild makes the chain from the bottom up). */
  readonly base?: ProvenanceBase;
}

/** One resolved dependency read back from a provenance document. */
export type ProvenanceDependency =
  | { readonly kind: 'source'; readonly uri: string; readonly revision: string }
  | {
      readonly kind: 'suite';
      readonly suite: string;
      readonly uri: string;
      readonly inReleaseSha256: string;
      readonly date: string;
    }
  | {
      readonly kind: 'package';
      readonly name: string;
      readonly version: string;
      readonly architecture: string;
      readonly suite: string;
      readonly uri: string;
      readonly sha256: string;
      readonly source?: string;
      readonly sourceVersion?: string;
      readonly size?: number;
    };

/** What `parseProvenance` returns: the build parameters needed to repeat the build and check its result. */
export type ReadProvenance = Omit<ProvenanceInput, 'suites' | 'packages'> & {
  readonly dependencies: readonly ProvenanceDependency[];
};

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Builds the SLSA v1 predicate. Resolved dependencies are ordered: source (if known), then each suite's
 * InRelease in lock order, then every .deb sorted by name and architecture, so equal input gives equal JSON.
 * @throws IroncladError `INVALID_INPUT` if a package names a suite that is not in `suites` or a digest is malformed.
 */
export function buildProvenance(input: ProvenanceInput): SlsaProvenance {
  return provenanceFrame(input, IRONCLAD_BUILD_TYPE, { platform: input.platform }, [
    ...input.suites.map(suiteDependency),
    ...packageDependencies(input),
  ]);
}

/** What a platform build's provenance and its index's share: everything but the platform and the artifacts. */
export type SharedProvenanceInput = Omit<ProvenanceInput, 'platform' | 'suites' | 'packages'>;

/**
 * The predicate around the parts that differ by build type: `target` (the platform, or the platforms) goes after
 * `variant` in externalParameters, and `dependencies` after the source in resolvedDependencies.
 * @throws IroncladError `INVALID_INPUT` for a malformed definition digest.
 */
export function provenanceFrame(
  input: SharedProvenanceInput,
  buildType: string,
  target: Readonly<Record<string, unknown>>,
  dependencies: readonly ResourceDescriptor[],
): SlsaProvenance {
  checkDigest(input.definition.sha256, 'definition');
  const metadata = {
    ...(input.invocationId === undefined ? {} : { invocationId: input.invocationId }),
    ...(input.startedOn === undefined ? {} : { startedOn: input.startedOn }),
    ...(input.finishedOn === undefined ? {} : { finishedOn: input.finishedOn }),
  };
  return {
    buildDefinition: {
      buildType,
      externalParameters: {
        definition: {
          path: input.definition.path,
          digest: { sha256: input.definition.sha256 },
          ...(input.definition.document === undefined ? {} : { document: input.definition.document }),
        },
        variant: input.variant,
        ...target,
        ...(input.source === undefined ? {} : { source: { ...input.source } }),
        noTest: input.noTest,
        ...(input.compression === undefined ? {} : { compression: input.compression }),
        ...(input.base === undefined ? {} : { base: baseParameter(input.base) }),
      },
      internalParameters: { ironcladVersion: input.ironcladVersion, sourceDateEpoch: input.sourceDateEpoch },
      resolvedDependencies: [...sourceDependency(input), ...dependencies],
    },
    runDetails: {
      builder: { id: input.builderId, version: { ironclad: input.ironcladVersion } },
      ...(Object.keys(metadata).length === 0 ? {} : { metadata }),
      ...(input.byproducts === undefined ? {} : { byproducts: input.byproducts }),
    },
  };
}

/**
 * Reads back a provenance predicate written by {@link buildProvenance} (for `rebuild --verify`).
 * @throws IroncladError `INVALID_INPUT` listing every missing or invalid field, or if the buildType is not ours.
 */
export function parseProvenance(predicate: unknown): ReadProvenance {
  if (!isRecord(predicate)) fail('INVALID_INPUT', 'provenance: predicate is not a JSON object');
  return readProvenance(predicate, IRONCLAD_BUILD_TYPE);
}

function baseParameter(b: ProvenanceBase): Record<string, unknown> {
  checkDigest(b.manifestSha256, 'base image');
  checkDigest(b.definition.sha256, 'base definition');
  return {
    name: b.name,
    digest: { sha256: b.manifestSha256 },
    variant: b.variant,
    definition: { path: b.definition.path, digest: { sha256: b.definition.sha256 } },
    sourceDateEpoch: b.sourceDateEpoch,
    packages: [...b.packages].sort(compare),
    ...(b.base === undefined ? {} : { base: baseParameter(b.base) }),
  };
}

/** Source as a resolved dependency in the SPDX-style VCS URI form SLSA recommends (`git+URL@REVISION`). */
function sourceDependency(input: Pick<ProvenanceInput, 'source'>): ResourceDescriptor[] {
  if (!input.source) return [];
  const { repository, revision } = input.source;
  const isCommit = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(revision);
  return [
    {
      uri: `git+${repository}@${revision}`,
      ...(isCommit ? { digest: { gitCommit: revision } } : {}),
      name: 'source',
    },
  ];
}

function suiteDependency(s: ProvenanceSuite): ResourceDescriptor {
  checkDigest(s.inReleaseSha256, `InRelease of ${s.suite}`);
  return {
    uri: `${trimSlash(s.baseUrl)}/dists/${s.suite}/InRelease`,
    digest: { sha256: s.inReleaseSha256 },
    name: s.suite,
    annotations: { kind: 'suite', date: s.date },
  };
}

function packageDependencies(input: ProvenanceInput): ResourceDescriptor[] {
  const bases = new Map(input.suites.map((s) => [s.suite, trimSlash(s.baseUrl)]));
  const sorted = [...input.packages].sort((a, b) =>
    a.name === b.name ? compare(a.architecture, b.architecture) : compare(a.name, b.name),
  );
  return sorted.map((p) => {
    const base = bases.get(p.suite);
    if (base === undefined) fail('INVALID_INPUT', `provenance: package ${p.name} names unknown suite ${p.suite}`);
    checkDigest(p.sha256, `package ${p.name}`);
    return {
      uri: `${base}/${p.filename.replace(/^\/+/, '')}`,
      digest: { sha256: p.sha256 },
      name: p.name,
      annotations: {
        kind: 'deb',
        version: p.version,
        architecture: p.architecture,
        suite: p.suite,
        ...rebuildHints(p),
      },
    };
  });
}

/** Annotation values are strings (resource_descriptor.md), so the size is written in decimal. */
function rebuildHints(p: ProvenancePackage): Record<string, string> {
  return {
    ...(p.source === undefined ? {} : { source: p.source }),
    ...(p.sourceVersion === undefined ? {} : { sourceVersion: p.sourceVersion }),
    ...(p.size === undefined ? {} : { size: String(p.size) }),
  };
}

export function checkDigest(hex: string, what: string): void {
  if (!HEX_SHA256.test(hex)) fail('INVALID_INPUT', `provenance: ${what} digest is not 64 lowercase hex characters`);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
