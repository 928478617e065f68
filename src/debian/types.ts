/** One binary package as listed in a Packages index, after parsing (Debian Policy §5.3, §7). */
export interface PackageEntry {
  readonly name: string;
  readonly version: string;
  /** `amd64`, `arm64`, ... or `all`. */
  readonly architecture: string;
  /** Source package name; equals `name` when the Source field is absent. */
  readonly source: string;
  /** Source version; equals `version` when the Source field gives no version. */
  readonly sourceVersion: string;
  readonly filename: string;
  readonly size: number;
  readonly sha256: string;
  readonly multiArch: 'no' | 'same' | 'foreign' | 'allowed';
  readonly essential: boolean;
  readonly priority: string;
  readonly section: string;
  readonly installedSize: number;
  readonly maintainer: string;
  readonly description: string;
  readonly homepage: string;
  readonly depends: readonly DependencyGroup[];
  readonly preDepends: readonly DependencyGroup[];
  readonly provides: readonly Relation[];
  readonly conflicts: readonly Relation[];
  readonly breaks: readonly Relation[];
  /** Suite the entry came from (e.g. `bookworm-security`), and its archive base URL. */
  readonly suite: string;
  readonly component: string;
  readonly baseUrl: string;
  /** The raw stanza fields, in their original order, for writing status.d files. */
  readonly fields: ReadonlyMap<string, string>;
}

export type RelationOp = '<<' | '<=' | '=' | '>=' | '>>';

/** `name[:arch] [(op version)]` — one alternative of a dependency. */
export interface Relation {
  readonly name: string;
  /** `any`, `native`, or a concrete architecture when written as `name:qualifier`. */
  readonly archQualifier?: string;
  readonly op?: RelationOp;
  readonly version?: string;
}

/** Alternatives joined by `|`; satisfied when any one is. */
export type DependencyGroup = readonly Relation[];
