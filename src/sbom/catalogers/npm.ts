import { NOASSERTION, normalizeExpression } from '../licenses.ts';
import type { SbomPackage } from '../model.ts';
import { npmPurl } from '../purl.ts';
import { type CatalogContext, type Cataloger, type CatalogResult, decoder } from './cataloger.ts';

/**
 * npm packages installed in `node_modules`: `node_modules/<name>/package.json` and
 * `node_modules/@scope/<name>/package.json`, at any nesting depth. Only a package's own manifest counts, never
 * package.json files deeper inside it (test fixtures, templates), and only manifests with a name and version.
 */

const MANIFEST_RE = /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/@.][^/]*\/package\.json$/;
/** package.json files of real packages are small; a bound stops a hostile one from costing memory. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `license: "MIT"`, the deprecated `license: {type}` and `licenses: [{type}]` forms (npm docs, package.json). */
function licenseOf(m: Record<string, unknown>): string {
  const l = m.license;
  if (typeof l === 'string') return normalizeExpression(l);
  if (isObj(l) && typeof l.type === 'string') return normalizeExpression(l.type);
  if (Array.isArray(m.licenses)) {
    const types = m.licenses
      .filter(isObj)
      .map((x) => x.type)
      .filter((t): t is string => typeof t === 'string');
    if (types.length > 0) return normalizeExpression(types.map((t) => `(${t})`).join(' OR '));
  }
  return NOASSERTION;
}

function supplierOf(m: Record<string, unknown>): string {
  const a = m.author;
  const name =
    typeof a === 'string' ? a.replace(/\s*[<(].*$/, '') : isObj(a) && typeof a.name === 'string' ? a.name : '';
  const clean = name.replace(/[()\n]/g, '').trim();
  return clean === '' ? NOASSERTION : `Person: ${clean}`;
}

function packageFrom(path: string, text: string): SbomPackage | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null; // a broken manifest is not a package; npm itself would refuse it
  }
  if (!isObj(m) || typeof m.name !== 'string' || typeof m.version !== 'string') return null;
  if (m.name === '' || m.version === '' || m.name.length > 214) return null;
  return {
    type: 'npm',
    name: m.name,
    version: m.version,
    purl: npmPurl(m.name, m.version),
    licenses: licenseOf(m),
    supplier: supplierOf(m),
    dependsOn: isObj(m.dependencies) ? Object.keys(m.dependencies) : [],
    foundBy: 'javascript-package-cataloger',
    locations: [path],
  };
}

async function catalog(ctx: CatalogContext): Promise<CatalogResult> {
  const packages: SbomPackage[] = [];
  const metadataFiles = new Set<string>();
  for (const f of ctx.files((p) => MANIFEST_RE.test(p))) {
    const bytes = await ctx.read(f.path, MAX_MANIFEST_BYTES);
    if (bytes === undefined) continue;
    const p = packageFrom(f.path, decoder.decode(bytes));
    if (p !== null) {
      packages.push(p);
      metadataFiles.add(f.path);
    }
  }
  return { packages, owned: new Set(), metadataFiles };
}

export const npmCataloger: Cataloger = {
  name: 'npm',
  captures: (path, size) => size <= MAX_MANIFEST_BYTES && MANIFEST_RE.test(path),
  catalog,
};
