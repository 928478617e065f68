import { outputSchema } from '../core/index.ts';
import type { SeverityCounts } from '../vuln/index.ts';

/**
 * Contracts of the compare stage. A comparison has two sides: the *target* (the image being looked at) and the
 * *baseline* (`--to`), as in `docker scout compare`. Every delta describes the change from baseline to target:
 * a package "added" is in the target and not in the baseline, a positive count delta means the target has more.
 * The JSON rendering of CompareResult is documented in docs/compare.md; fields are only ever added.
 */

/** Where an image says it came from, read from its config labels. */
export interface Provenance {
  /** `org.opencontainers.image.source`. */
  readonly source: string | null;
  /** `org.opencontainers.image.revision`. */
  readonly revision: string | null;
  /** Every `dev.ironclad.*` label, sorted by key. */
  readonly ironclad: Readonly<Record<string, string>>;
}

/** Vulnerability counts of one image, or why there are none. */
export type VulnerabilitySummary =
  | {
      readonly available: true;
      readonly counts: SeverityCounts;
      readonly total: number;
      /** Findings a `not_affected` or `fixed` VEX statement covers: left out of `counts`, as `scan` does. */
      readonly suppressedByVex: number;
      /** The VEX documents applied: `attached sha256:...` for a referrer of the image, else the `--vex` file. */
      readonly vex: readonly string[];
    }
  | { readonly available: false; readonly reason: string };

/** The headline facts of one side. */
export interface ImageOverview {
  /** The reference as typed by the user. */
  readonly ref: string;
  /** Digest of what the reference points at: an index, or a manifest for a single-platform image. */
  readonly digest: string;
  /** Digest of the platform manifest that was compared. */
  readonly manifestDigest: string;
  /** Tag from the reference, or null (digest references, archives). */
  readonly tag: string | null;
  /** `os/arch[/variant]` of the compared manifest. */
  readonly platform: string;
  /** Null when the config carries none of the provenance labels. */
  readonly provenance: Provenance | null;
  readonly created: string | null;
  /** Config `User`; the empty string means root. */
  readonly user: string;
  /** Sum of the compressed layer sizes, in bytes (what a pull transfers, without config and manifest). */
  readonly compressedSize: number;
  readonly layers: number;
  readonly packageCount: number;
  /** `ID VERSION_ID` from os-release, or null when the image has none. */
  readonly distro: { readonly id: string; readonly versionId: string } | null;
  readonly vulnerabilities: VulnerabilitySummary;
}

/** A shell or package manager found on the filesystem. */
export interface FoundProgram {
  /** Program name, e.g. `bash`, `apt-get`. */
  readonly name: string;
  /** First path it was found at (`/usr/bin/bash`), symlinks not followed in the name. */
  readonly path: string;
}

/** A regular file with the setuid or setgid bit. */
export interface SpecialFile {
  /** Absolute path. */
  readonly path: string;
  /** Permission bits as 4 octal digits, e.g. `4755`. */
  readonly mode: string;
  readonly setuid: boolean;
  readonly setgid: boolean;
}

/** An /etc/passwd account whose shell lets it log in (not nologin, false or sync). */
export interface LoginUser {
  readonly name: string;
  readonly uid: number;
  readonly shell: string;
}

/** A directory anyone may write to; sticky ones (like /tmp) only let owners delete their files. */
export interface WritableDir {
  readonly path: string;
  readonly sticky: boolean;
}

/** What an attacker who gets code execution in a container finds. Lists are sorted by their key. */
export interface AttackSurface {
  readonly shells: readonly FoundProgram[];
  readonly packageManagers: readonly FoundProgram[];
  readonly setuidFiles: readonly SpecialFile[];
  /** Regular files with any execute bit. */
  readonly executables: number;
  readonly loginUsers: readonly LoginUser[];
  readonly worldWritableDirs: readonly WritableDir[];
}

/** Items only in the target (`added`) and only in the baseline (`removed`). */
export interface ListDelta<T> {
  readonly added: readonly T[];
  readonly removed: readonly T[];
}

export interface AttackSurfaceDelta {
  readonly shells: ListDelta<FoundProgram>;
  readonly packageManagers: ListDelta<FoundProgram>;
  readonly setuidFiles: ListDelta<SpecialFile>;
  /** target − baseline. */
  readonly executables: number;
  readonly loginUsers: ListDelta<LoginUser>;
  readonly worldWritableDirs: ListDelta<WritableDir>;
}

export type KeyChange = 'added' | 'removed' | 'changed' | 'unchanged';

/** One key of an environment or label map; `target`/`baseline` are null on the side that lacks the key. */
export interface KeyValueChange {
  readonly key: string;
  readonly change: KeyChange;
  readonly target: string | null;
  readonly baseline: string | null;
}

export type PackageChangeKind = 'added' | 'removed' | 'upgraded' | 'downgraded' | 'unchanged';

/** One installed package on one side. */
export interface PackageSide {
  /** Ecosystem: `deb`, `pypi`, `npm` or `golang`. */
  readonly type: string;
  readonly version: string;
  readonly arch: string;
  readonly sourceName: string;
  readonly sourceVersion: string;
  /**
   * Active findings touching this package, by severity; null when vulnerability data is unavailable or does not
   * cover the package's ecosystem.
   */
  readonly vulnerabilities: SeverityCounts | null;
}

export interface PackageChange {
  /** Package name (`name:arch` for a Debian package installed for several architectures). */
  readonly name: string;
  /** Ecosystem, as in PackageSide. */
  readonly type: string;
  readonly change: PackageChangeKind;
  readonly target: PackageSide | null;
  readonly baseline: PackageSide | null;
}

/** Per-severity and total differences, target − baseline; null unless both sides have vulnerability data. */
export type VulnerabilityDelta = (SeverityCounts & { readonly total: number }) | null;

export interface CompareResult {
  readonly schema: typeof COMPARE_SCHEMA;
  readonly target: ImageOverview;
  readonly baseline: ImageOverview;
  readonly delta: {
    readonly compressedSize: number;
    readonly layers: number;
    readonly packageCount: number;
    readonly vulnerabilities: VulnerabilityDelta;
  };
  readonly attackSurface: {
    readonly target: AttackSurface;
    readonly baseline: AttackSurface;
    readonly delta: AttackSurfaceDelta;
  };
  /** Every key of either side, sorted by key. */
  readonly environment: readonly KeyValueChange[];
  readonly labels: readonly KeyValueChange[];
  /** Every package of either side, sorted by name. */
  readonly packages: readonly PackageChange[];
  /** What differs path by path (by metadata: tar headers carry no digest), sorted by path. */
  readonly files: FilesDelta;
}

/** One path of one image, as the file delta lists it. */
export interface FileSide {
  /** Absolute, as in the image. */
  readonly path: string;
  readonly type: string;
  /** Permission bits in octal, e.g. `0644`. */
  readonly mode: string;
  /** `uid:gid`. */
  readonly owner: string;
  /** Bytes of a regular file; 0 for anything else. */
  readonly size: number;
  /** A link's target. */
  readonly target?: string;
  /** SHA-256 of a regular file's content, given when the content is what changed. */
  readonly sha256?: string;
}

export interface FileChange {
  readonly path: string;
  readonly target: FileSide;
  readonly baseline: FileSide;
}

/** Paths only the target has, only the baseline has, and both have with another type, mode, owner, size or content. */
export interface FilesDelta {
  readonly added: readonly FileSide[];
  readonly removed: readonly FileSide[];
  readonly changed: readonly FileChange[];
}

/** Versions the JSON document; bumped only for incompatible changes. */
export const COMPARE_SCHEMA = outputSchema('compare');
