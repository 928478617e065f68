import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, type Home, type StageContext } from '../core/index.ts';
import {
  DEFINITION_FILE,
  expandVariants,
  type LoadedDefinition,
  type LoadOptions,
  loadDefinition,
} from '../definition/index.ts';
import { LayoutStore } from '../oci/index.ts';
import { openVulnDb } from '../vuln/index.ts';
import {
  CATALOG_SCHEMA,
  type Catalog,
  type CatalogDetails,
  type CatalogEntry,
  type CatalogVariant,
  type PlatformDetails,
} from './model.ts';
import { readStoredVariant } from './store-variant.ts';

/** Reference images (unhardened look-alikes to compare against) live here, not in the catalog list. */
export const REFERENCE_DIR = 'reference';

export interface CatalogInput {
  /** The catalog's definitions: one directory per image (images/). */
  readonly imagesDir: string;
  /** How definitions are loaded: a customization of a published image needs `imageBase` to verify its base. */
  readonly load?: LoadOptions;
}

export interface CollectedCatalog {
  readonly catalog: Catalog;
  readonly details: CatalogDetails;
}

/**
 * Builds the catalog: every definition of `imagesDir` (reference images aside) with its catalog metadata and, for
 * each variant whose first tag is in the local store, what the store, the vulnerability database and the
 * referrers say about it. Reads only: the store is opened without creating it, the database read-only.
 */
export async function collectCatalog(input: CatalogInput, ctx: StageContext): Promise<CollectedCatalog> {
  const definitions = await catalogDefinitions(input.imagesDir, input.load);
  const store = await openStoreReadOnly(ctx.home);
  const db = existsSync(ctx.home.vulnDb) ? openVulnDb(ctx.home) : null;
  try {
    const today = ctx.now().toISOString().slice(0, 10);
    const entries: CatalogEntry[] = [];
    const details = new Map<string, Map<string, readonly PlatformDetails[]>>();
    for (const { id, loaded } of definitions) {
      ctx.log.tick(`catalog: reading ${id}`);
      const perVariant = new Map<string, readonly PlatformDetails[]>();
      const variants: CatalogVariant[] = [];
      for (const v of expandVariants(loaded.definition)) {
        const tag = v.tags[0] ?? 'latest';
        const stored = store === null ? undefined : await readStoredVariant(store, v.name, tag, db, ctx);
        perVariant.set(v.variant, stored?.details ?? []);
        variants.push({
          variant: v.variant,
          description: v.description ?? loaded.definition.description ?? '',
          tags: v.tags,
          reference: `${v.name}:${tag}`,
          user: v.user,
          shell: v.shell,
          packageManager: v.packageManager,
          definedPlatforms: v.platforms,
          image: stored?.image ?? null,
        });
      }
      details.set(id, perVariant);
      entries.push(entryOf(id, loaded, variants, today));
    }
    return {
      catalog: { schema: CATALOG_SCHEMA, vulnerabilityData: db?.newestModified() ?? null, images: entries },
      details,
    };
  } finally {
    db?.close();
  }
}

function entryOf(id: string, loaded: LoadedDefinition, variants: CatalogVariant[], today: string): CatalogEntry {
  const d = loaded.definition;
  const c = d.catalog;
  const endOfLife = c?.endOfLife ?? null;
  return {
    id,
    name: d.name,
    description: d.description ?? '',
    distro: d.distro,
    overview: c?.overview ?? d.description ?? '',
    usage: c?.usage ?? [],
    links: c?.links ?? [],
    release: c?.release ?? null,
    endOfLife,
    pastEndOfLife: endOfLife !== null && endOfLife < today,
    counterpart: c?.counterpart === undefined ? null : `${c.counterpart.name}:${c.counterpart.tag}`,
    peers: (c?.peers ?? []).map((p) => ({
      name: p.name,
      size: p.size ?? null,
      packages: p.packages ?? null,
      describes: p.describes ?? null,
      source: p.source ?? null,
    })),
    variants,
  };
}

/** The catalog's definitions, sorted by directory name; NOT_FOUND when `imagesDir` holds none. */
export async function catalogDefinitions(
  imagesDir: string,
  load: LoadOptions = {},
): Promise<readonly { readonly id: string; readonly loaded: LoadedDefinition }[]> {
  const names = await readdir(imagesDir, { withFileTypes: true }).catch((err: unknown) =>
    fail('NOT_FOUND', `no catalog at ${imagesDir}`, {
      hint: 'run from the repository root, or pass --images DIR (a directory of image definitions)',
      cause: err,
    }),
  );
  const dirs = names
    .filter((n) => n.isDirectory() && n.name !== REFERENCE_DIR && existsSync(join(imagesDir, n.name, DEFINITION_FILE)))
    .map((n) => n.name)
    .sort();
  if (dirs.length === 0) {
    fail('NOT_FOUND', `${imagesDir} holds no image definitions`, {
      hint: `each image is a directory with an ${DEFINITION_FILE}`,
    });
  }
  const out = [];
  for (const id of dirs) out.push({ id, loaded: await loadDefinition(join(imagesDir, id), load) });
  return out;
}

/** The local store, or null when there is none yet: reading the catalog must not create it. */
async function openStoreReadOnly(home: Home): Promise<LayoutStore | null> {
  if (!existsSync(join(home.store, 'oci-layout'))) return null;
  return LayoutStore.open(home.store);
}
