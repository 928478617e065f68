import { z } from 'zod';
import { imageName, sizeBudget, tag } from './fields.ts';

/**
 * The `catalog:` block of a definition: what a catalog page says about the image (overview, usage notes, upstream
 * links, release and end-of-life dates). It describes the image and never changes what is built, so it is left
 * out of the definition digest a lockfile records: editing a page does not make a lock stale.
 */

/** The definition key that holds catalog metadata. */
export const CATALOG_KEY = 'catalog';

/** A calendar date, `YYYY-MM-DD` (RFC 3339 full-date), checked to be a real day. */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((s) => new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a calendar date')
  .describe('A date as YYYY-MM-DD.');

const link = z
  .strictObject({
    title: z.string().min(1).max(128),
    url: z
      .string()
      .max(2048)
      .regex(/^https:\/\/[^\s<>"']+$/, 'an https:// URL'),
  })
  .describe('An upstream link: project home, source, release notes, lifecycle page.');

const peer = z
  .strictObject({
    name: z.string().min(1).max(256).describe('The peer image, as its vendor names it (cgr.dev/chainguard/nginx).'),
    size: sizeBudget.optional().describe('Its compressed size: "19.5MB", "20MiB" or bytes.'),
    packages: z.number().int().min(1).max(100_000).optional().describe('Its package count.'),
    describes: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe(
        'What the figures are for: the tag, version and platform they were read for, and when ' +
          '("latest = nginx 1.27.0, page of 2024-06-23"); a peer of another version or platform says so here.',
      ),
    source: z
      .string()
      .max(2048)
      .regex(/^https:\/\/[^\s<>"']+$/, 'an https:// URL')
      .optional()
      .describe('Where the figures were read.'),
  })
  .refine((p) => p.size !== undefined || p.packages !== undefined, 'a peer needs a size or a package count')
  .describe(
    "The equivalent image of another hardened catalog (Chainguard's, Docker Hardened Images), with the figures " +
      'known for it; only figures read somewhere, never estimated.',
  );

export const CatalogInfo = z
  .strictObject({
    overview: z.string().min(1).max(4096).describe('One paragraph: what the image is for and what it holds.'),
    usage: z
      .array(z.string().min(1).max(1024))
      .max(32)
      .default([])
      .describe('Usage notes, one per entry: ports, volumes, user, environment, how to run or extend it.'),
    links: z.array(link).max(16).default([]),
    release: isoDate.optional().describe('Upstream release date of the shipped version.'),
    'end-of-life': isoDate.optional().describe('Upstream end of life of the shipped version (or the distribution).'),
    counterpart: z
      .strictObject({ name: imageName, tag })
      .optional()
      .describe('The conventional image this one is compared with (a reference image of images/reference).'),
    peers: z.array(peer).max(8).default([]),
  })
  .transform((c) => ({
    overview: c.overview,
    usage: c.usage,
    links: c.links,
    ...(c.release === undefined ? {} : { release: c.release }),
    ...(c['end-of-life'] === undefined ? {} : { endOfLife: c['end-of-life'] }),
    ...(c.counterpart === undefined ? {} : { counterpart: c.counterpart }),
    peers: c.peers,
  }))
  .describe('What the catalog says about the image. Not part of the build: the lock does not cover it.');

export type CatalogInfo = z.output<typeof CatalogInfo>;

/** The raw document without its catalog block: what the definition digest covers. */
export function buildRelevant(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !(CATALOG_KEY in raw)) return raw;
  const { [CATALOG_KEY]: _omitted, ...rest } = raw as Record<string, unknown>;
  return rest;
}
