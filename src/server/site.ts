import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CollectedCatalog } from '../catalog/index.ts';
import { type CompareResult, compareImages } from '../compare/index.ts';
import type { StageContext } from '../core/index.ts';
import { LayoutStore, openEndpoint, parsePlatform, storeTagName } from '../oci/index.ts';
import { openVulnDb } from '../vuln/index.ts';
import { renderImagePage } from './image-page.ts';
import { type ListQuery, NO_FILTER, renderListPage } from './list-page.ts';
import { imagePath, type SiteModel } from './site-model.ts';

/** One response of the site: what serve sends and export writes. */
export interface SitePage {
  readonly type: string;
  readonly body: string;
}

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

export interface SiteOptions {
  readonly platform: string;
  readonly registry?: string;
}

/**
 * The site model over a collected catalog. Comparisons with conventional counterparts are computed on first use
 * and kept (they read two whole images); everything else was read by the catalog stage.
 */
export function siteModel(collected: CollectedCatalog, opts: SiteOptions, ctx: StageContext): SiteModel {
  const comparisons = new Map<string, ReturnType<SiteModel['comparison']>>();
  return {
    catalog: collected.catalog,
    details: collected.details,
    platform: opts.platform,
    ...(opts.registry !== undefined && { registry: opts.registry }),
    comparison(entry) {
      let c = comparisons.get(entry.id);
      if (c === undefined) {
        c = compareWithCounterpart(entry.variants[0]?.reference, entry.counterpart, opts.platform, ctx);
        comparisons.set(entry.id, c);
      }
      return c;
    },
  };
}

async function compareWithCounterpart(
  target: string | undefined,
  counterpart: string | null,
  platform: string,
  ctx: StageContext,
): Promise<CompareResult | { readonly unavailable: string } | null> {
  if (counterpart === null || target === undefined) return null;
  if (!existsSync(join(ctx.home.store, 'oci-layout'))) return { unavailable: 'The local store is empty.' };
  const store = await LayoutStore.open(ctx.home.store);
  for (const ref of [target, counterpart]) {
    const [name = '', tag = ''] = ref.split(':');
    if ((await store.resolveTag(storeTagName(name, tag))) === undefined) {
      return { unavailable: `${ref} is not in the local store; build it, then compare:` };
    }
  }
  const db = existsSync(ctx.home.vulnDb) ? openVulnDb(ctx.home) : undefined;
  try {
    const p = parsePlatform(platform);
    return await compareImages(
      openEndpoint(refOf(target), { home: ctx.home }),
      openEndpoint(refOf(counterpart), { home: ctx.home }),
      { ...(p !== undefined && { platform: p }), ...(db !== undefined && { db }) },
      ctx,
    );
  } finally {
    db?.close();
  }
}

function refOf(ref: string) {
  const [name = '', tag = ''] = ref.split(':');
  return { kind: 'store' as const, name, tag };
}

/**
 * The page at `path` (relative to the site root, no leading slash; '' is the list), or undefined. Only paths the
 * catalog names exist: nothing is looked up on disk.
 */
export async function sitePage(
  model: SiteModel,
  path: string,
  query: ListQuery = NO_FILTER,
): Promise<SitePage | undefined> {
  if (path === '' || path === 'index.html') return { type: HTML, body: renderListPage(model, query) };
  if (path === 'catalog.json') return { type: JSON_TYPE, body: `${JSON.stringify(model.catalog, null, 2)}\n` };
  const m = /^images\/([a-z0-9][a-z0-9._-]*)\.(html|json)$/.exec(path);
  const entry = m === null ? undefined : model.catalog.images.find((e) => e.id === m[1]);
  if (m === null || entry === undefined) return undefined;
  if (m[2] === 'json') {
    const details = Object.fromEntries(model.details.get(entry.id) ?? new Map());
    const body = { schema: model.catalog.schema, image: entry, details };
    return { type: JSON_TYPE, body: `${JSON.stringify(body, null, 2)}\n` };
  }
  return { type: HTML, body: renderImagePage(model, entry, await model.comparison(entry)) };
}

/** Every path of the site, for a static export. */
export function sitePaths(model: SiteModel): readonly string[] {
  return [
    'index.html',
    'catalog.json',
    ...model.catalog.images.flatMap((e) => [imagePath(e), imagePath(e).replace(/\.html$/, '.json')]),
  ];
}
