import type { Catalog, CatalogDetails, CatalogEntry, CatalogVariant, PlatformSummary } from '../catalog/index.ts';
import type { CompareResult } from '../compare/index.ts';

/** Everything the pages are rendered from; built once (serve at start, export once), never written back. */
export interface SiteModel {
  readonly catalog: Catalog;
  readonly details: CatalogDetails;
  /** Platform shown first and summarised in the list (the host's, as `ironclad scan` picks it). */
  readonly platform: string;
  /** Where images are published (`HOST[/PREFIX]`), for the pull and verify commands; unknown when undefined. */
  readonly registry?: string;
  /** The comparison of an entry's runtime image with its counterpart, or why there is none. */
  comparison(entry: CatalogEntry): Promise<CompareResult | { readonly unavailable: string } | null>;
}

/** The platform summary a list row shows: the preferred platform when built for it, else the first. */
export function summaryPlatform(v: CatalogVariant, platform: string): PlatformSummary | undefined {
  const ps = v.image?.platforms ?? [];
  return ps.find((p) => p.platform === platform) ?? ps[0];
}

/** Path of an entry's page, relative to the site root. */
export function imagePath(entry: CatalogEntry): string {
  return `images/${entry.id}.html`;
}
