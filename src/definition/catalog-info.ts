import { z } from 'zod';
import { imageName, tag } from './fields.ts';

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
  })
  .transform((c) => ({
    overview: c.overview,
    usage: c.usage,
    links: c.links,
    ...(c.release === undefined ? {} : { release: c.release }),
    ...(c['end-of-life'] === undefined ? {} : { endOfLife: c['end-of-life'] }),
    ...(c.counterpart === undefined ? {} : { counterpart: c.counterpart }),
  }))
  .describe('What the catalog says about the image. Not part of the build: the lock does not cover it.');

export type CatalogInfo = z.output<typeof CatalogInfo>;

/** The raw document without its catalog block: what the definition digest covers. */
export function buildRelevant(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !(CATALOG_KEY in raw)) return raw;
  const { [CATALOG_KEY]: _omitted, ...rest } = raw as Record<string, unknown>;
  return rest;
}
