/**
 * The lockfile (`ironclad.lock.json` beside a definition): everything a build needs, pinned.
 * `build` reads only this; a lock whose definitionDigest no longer matches is stale.
 */
export interface Lockfile {
  readonly lockfileVersion: 1;
  /** `sha256:<hex>` of the canonical JSON of the unexpanded definition document (`LoadedDefinition.digest`). */
  readonly definitionDigest: string;
  readonly name: string;
  readonly distro: string;
  /** One entry per variant name (`runtime`, `dev`, ...). */
  readonly variants: Readonly<Record<string, LockedVariant>>;
}

export interface LockedVariant {
  /** Keyed by platform, e.g. `linux/amd64`. */
  readonly platforms: Readonly<Record<string, LockedPlatform>>;
}

export interface LockedPlatform {
  readonly platform: string;
  /** Debian architecture (`amd64`, `arm64`). */
  readonly architecture: string;
  readonly suites: readonly LockedSuite[];
  readonly packages: readonly LockedPackage[];
  /** Names the definition excluded that the closure would otherwise have pulled in. */
  readonly excluded: readonly string[];
}

export interface LockedSuite {
  readonly suite: string;
  readonly baseUrl: string;
  /** `Date:` field of the Release file. */
  readonly date: string;
  /** sha256 of the InRelease bytes that were verified. */
  readonly inReleaseSha256: string;
}

export interface LockedPackage {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  readonly source: string;
  readonly sourceVersion: string;
  readonly suite: string;
  /** Pool path relative to the archive base URL. */
  readonly filename: string;
  readonly size: number;
  readonly sha256: string;
}
