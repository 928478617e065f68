import { fail } from '../core/index.ts';
import type { Catalog, CatalogEntry, CatalogVariant } from './model.ts';

/**
 * Finds a catalog entry by id (`python-3.13`), reference (`python:3.13`, any tag of any variant) or name
 * (`node`, when one entry has it). NOT_FOUND names the ids; an ambiguous name is a USAGE error listing them.
 */
export function findEntry(catalog: Catalog, query: string): CatalogEntry {
  const byId = catalog.images.find((e) => e.id === query);
  if (byId !== undefined) return byId;
  const colon = query.lastIndexOf(':');
  if (colon > 0) {
    const [name, tag] = [query.slice(0, colon), query.slice(colon + 1)];
    const hit = catalog.images.find((e) => e.name === name && e.variants.some((v) => v.tags.includes(tag)));
    if (hit !== undefined) return hit;
  }
  const byName = catalog.images.filter((e) => e.name === query);
  if (byName.length === 1 && byName[0] !== undefined) return byName[0];
  const ids = catalog.images.map((e) => e.id).join(', ');
  if (byName.length > 1) {
    fail('USAGE', `${query} names ${byName.length} catalog images`, {
      hint: `use an id or NAME:TAG: ${byName.map((e) => `${e.id} (${e.variants[0]?.reference})`).join(', ')}`,
    });
  }
  return fail('NOT_FOUND', `no image ${query} in the catalog`, { hint: `catalog images: ${ids}` });
}

/** The exact commands to pull, verify and scan a variant; `registry` is `HOST[/PREFIX]` where it is published. */
export function consumeCommands(
  variant: CatalogVariant,
  registry: string | undefined,
): { readonly pull: string; readonly verify: string; readonly scan: string; readonly run: string } {
  const remote = `${registry ?? 'REGISTRY'}/${variant.reference}`;
  return {
    pull: `ironclad pull ${remote} ${variant.reference}`,
    verify: `ironclad verify ${remote} --key ironclad.pub`,
    scan: `ironclad scan ${variant.reference}`,
    run: `ironclad run ${variant.reference}`,
  };
}
