/**
 * The web catalog: server-rendered pages over the catalog stage's data, served over HTTP (`serve`) or written as a
 * static site (`catalog export`). Reads the store, the vulnerability database and referrers; never writes them.
 */
export { exportSite } from './export.ts';
export { startServer } from './serve.ts';
export { siteModel } from './site.ts';
export type { SiteModel } from './site-model.ts';
