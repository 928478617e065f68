import { outputSchema } from '../core/index.ts';
import type { CtrfDocument } from '../testing/index.ts';
import type { Finding, OpenVexDocument, ScanPackage, SeverityCounts } from '../vuln/index.ts';

/**
 * The catalog's data model: what `ironclad catalog --format json` prints (one {@link CatalogEntry} per definition
 * in images/) and what the web catalog renders. docs/catalog.md documents every field; a field is only ever
 * added, and an incompatible change gets a new {@link CATALOG_SCHEMA}.
 */

/** Versions the JSON document. */
export const CATALOG_SCHEMA = outputSchema('catalog');

export interface Catalog {
  readonly schema: typeof CATALOG_SCHEMA;
  /** Newest `modified` of the vulnerability database the counts come from; null without a database. */
  readonly vulnerabilityData: string | null;
  /** Entries sorted by id. */
  readonly images: readonly CatalogEntry[];
}

/** One definition of images/: an image and its variants. */
export interface CatalogEntry {
  /** The definition's directory name, unique in the catalog (e.g. `python-3.13`). */
  readonly id: string;
  /** Image name in the store and registry (e.g. `python`). */
  readonly name: string;
  readonly description: string;
  readonly distro: string;
  readonly overview: string;
  readonly usage: readonly string[];
  readonly links: readonly { readonly title: string; readonly url: string }[];
  /** Upstream release date of the shipped version (YYYY-MM-DD), or null when unknown. */
  readonly release: string | null;
  /** Upstream end of life (YYYY-MM-DD), or null when unknown. */
  readonly endOfLife: string | null;
  /** True when `endOfLife` is before the day the catalog was made. */
  readonly pastEndOfLife: boolean;
  /** The conventional image this one is compared with, as `name:tag`, or null. */
  readonly counterpart: string | null;
  /** The equivalent images of other hardened catalogs, with the figures the definition gives for them. */
  readonly peers: readonly Peer[];
  readonly variants: readonly CatalogVariant[];
}

export interface Peer {
  readonly name: string;
  /** Compressed size in bytes, or null when not known. */
  readonly size: number | null;
  readonly packages: number | null;
  /** What the figures are for (tag, version, platform, date), or null. */
  readonly describes: string | null;
  /** Where the figures were read, or null. */
  readonly source: string | null;
}

export interface CatalogVariant {
  /** `runtime`, `dev`, ... */
  readonly variant: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** The reference to pull or run: `name:first-tag`. */
  readonly reference: string;
  readonly user: string;
  readonly shell: boolean;
  readonly packageManager: boolean;
  /** Platforms the definition builds. */
  readonly definedPlatforms: readonly string[];
  /** Null when the variant is not in the local store. */
  readonly image: BuiltVariant | null;
}

export interface BuiltVariant {
  /** Digest of the index the tag points at. */
  readonly digest: string;
  /** Newest package date the image was built from (its `created`, YYYY-MM-DD): the date it was last patched. */
  readonly lastPatched: string | null;
  /** Every platform manifest has a signature attached (presence, not verification: see `ironclad verify`). */
  readonly signed: boolean;
  /** `passed` when every platform has a CTRF test report attached and none failed; `failed`; `not-recorded`. */
  readonly tested: 'passed' | 'failed' | 'not-recorded';
  readonly platforms: readonly PlatformSummary[];
}

export interface PlatformSummary {
  readonly platform: string;
  readonly digest: string;
  /** Manifest, config and layers, as pulled. */
  readonly compressedSize: number;
  readonly layers: number;
  /** Packages the SBOM catalogers find: the count `ironclad sbom` lists. */
  readonly packages: number;
  /** Active findings by severity after VEX, as `ironclad scan` counts them; null without a database. */
  readonly vulnerabilities: SeverityCounts | null;
  /** Findings VEX marked not_affected or fixed. */
  readonly suppressed: number;
}

/** What an image page shows beyond the summary, per platform. */
export interface PlatformDetails {
  readonly platform: string;
  readonly digest: string;
  readonly packages: readonly ScanPackage[];
  /** Active findings and VEX-suppressed ones; null without a database. */
  readonly findings: readonly Finding[] | null;
  readonly suppressed: readonly Finding[];
  readonly provenance: ProvenanceSummary | null;
  readonly tests: CtrfDocument | null;
  /** Predicate types of the attestations attached (unverified). */
  readonly attestations: readonly string[];
  /** A signature is attached (presence only). */
  readonly signed: boolean;
  /** The OpenVEX documents attached to the platform manifest (what scan applies). */
  readonly vex: readonly OpenVexDocument[];
}

export interface ProvenanceSummary {
  readonly buildType: string;
  readonly builder: string;
  readonly ironcladVersion: string;
  readonly sourceDateEpoch: number;
  readonly testsSkipped: boolean;
  readonly definition: { readonly path: string; readonly sha256: string };
  /** Resolved dependencies (materials): URI and sha256 when there is one. */
  readonly materials: readonly { readonly uri: string; readonly sha256: string | null }[];
}

/** Details keyed by `entry id` then `variant`. */
export type CatalogDetails = ReadonlyMap<string, ReadonlyMap<string, readonly PlatformDetails[]>>;
