import { writeDirAtomic } from '../core/index.ts';
import { sitePage, sitePaths } from './site.ts';
import type { SiteModel } from './site-model.ts';

/**
 * Writes the catalog as a static site into `dir`: the same pages `serve` answers (list, one page per image) plus
 * the JSON, with relative links, so it can be opened from disk or published on any web server. Atomic: `dir`
 * holds the old site or the new one. Returns the paths written.
 */
export async function exportSite(model: SiteModel, dir: string): Promise<readonly string[]> {
  const files = new Map<string, string>();
  for (const path of sitePaths(model)) {
    const p = await sitePage(model, path);
    if (p !== undefined) files.set(path, p.body);
  }
  await writeDirAtomic(dir, files, 'catalog.json');
  return [...files.keys()];
}
