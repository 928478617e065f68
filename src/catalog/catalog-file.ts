import { z } from 'zod';
import { fail } from '../core/index.ts';
import { CATALOG_SCHEMA } from './model.ts';

/** A catalog document is a few hundred KiB for the whole catalog; this bounds what a stray file makes us parse. */
export const MAX_CATALOG_FILE_BYTES = 32 << 20;

/** An entry id is the definition's directory name under images/: one path segment, never `..`. */
const ENTRY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The part of a catalog document (`catalog --format json`, an export's `catalog.json`) that names definitions. */
const CatalogFile = z.object({
  schema: z.literal(CATALOG_SCHEMA, { message: `expected ${CATALOG_SCHEMA} (ironclad catalog --format json)` }),
  images: z.array(z.object({ id: z.string().regex(ENTRY_ID, 'expected a directory name') })),
});

/**
 * The entry ids a catalog document lists, in its order: each the directory of a definition under the images
 * directory the catalog was made from. Every problem is reported at once.
 * @throws IroncladError `INVALID_INPUT` (exit 2) for a document that is too large, not JSON, not a catalog, or
 * names an id that is not a plain directory name.
 */
export function catalogFileIds(bytes: Uint8Array, source: string): string[] {
  const hint = { hint: 'pass the JSON that `ironclad catalog --format json` prints, or the catalog.json of an export' };
  if (bytes.length > MAX_CATALOG_FILE_BYTES) fail('INVALID_INPUT', `${source}: larger than a catalog document`, hint);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    return fail('INVALID_INPUT', `${source}: not JSON (${(err as Error).message})`, { ...hint, cause: err });
  }
  const parsed = CatalogFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return fail('INVALID_INPUT', `${source}: not a catalog document: ${problems.join('; ')}`, hint);
  }
  if (parsed.data.images.length === 0) fail('INVALID_INPUT', `${source}: the catalog lists no image`, hint);
  return [...new Set(parsed.data.images.map((i) => i.id))];
}
