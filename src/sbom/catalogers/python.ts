import { licensesFromPythonMetadata } from '../licenses.ts';
import type { SbomPackage } from '../model.ts';
import { normalizePypiName, pypiPurl } from '../purl.ts';
import { type CatalogContext, type Cataloger, type CatalogResult, decoder } from './cataloger.ts';

/**
 * Python distributions installed by pip or Debian: `<dir>/site-packages|dist-packages/<name>.dist-info/METADATA`
 * (Core metadata, https://packaging.python.org/specifications/core-metadata/) and the older
 * `<name>.egg-info/PKG-INFO` (or an `.egg-info` file holding the same headers).
 */

const METADATA_RE = /(?:^|\/)(?:site|dist)-packages\/[^/]+\.(?:dist-info\/METADATA|egg-info\/PKG-INFO|egg-info)$/;
/** Real METADATA files are a few KiB to a few hundred (long descriptions); headers come first. */
const MAX_METADATA_BYTES = 4 * 1024 * 1024;

/** RFC 822-style headers up to the first blank line; repeated fields (Classifier, Requires-Dist) kept in order. */
export function parseCoreMetadata(text: string): (field: string) => string[] {
  const fields = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
      last[last.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    last = fields.get(key) ?? [];
    last.push(line.slice(colon + 1).trim());
    fields.set(key, last);
  }
  return (field) => fields.get(field.toLowerCase()) ?? [];
}

/** `requests[socks] (>=2.0); python_version < "3.8"` → `requests`; null for extras-only requirements. */
function requirementName(req: string): string | null {
  const [spec, marker] = req.split(';', 2);
  if (marker !== undefined && /\bextra\s*==/.test(marker)) return null;
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec ?? '');
  return m?.[1] === undefined ? null : normalizePypiName(m[1]);
}

function packageFrom(path: string, text: string): SbomPackage | null {
  const get = parseCoreMetadata(text);
  const name = get('Name')[0];
  const version = get('Version')[0];
  if (name === undefined || name === '' || version === undefined || version === '') return null;
  const authorEmail = get('Author-email')[0] ?? get('Maintainer-email')[0];
  const author = get('Author')[0] ?? get('Maintainer')[0];
  const who = author ?? authorEmail?.replace(/\s*<.*$/, '');
  return {
    type: 'pypi',
    name: normalizePypiName(name),
    version,
    purl: pypiPurl(name, version),
    licenses: licensesFromPythonMetadata(get),
    supplier:
      who !== undefined && who !== '' && !who.includes('\n') ? `Person: ${who.replace(/[()]/g, '')}` : 'NOASSERTION',
    dependsOn: get('Requires-Dist')
      .map(requirementName)
      .filter((n): n is string => n !== null),
    foundBy: 'python-installed-package-cataloger',
    locations: [path],
  };
}

async function catalog(ctx: CatalogContext): Promise<CatalogResult> {
  const packages: SbomPackage[] = [];
  const metadataFiles = new Set<string>();
  for (const f of ctx.files((p) => METADATA_RE.test(p))) {
    const bytes = await ctx.read(f.path, MAX_METADATA_BYTES);
    if (bytes === undefined) continue;
    metadataFiles.add(f.path);
    const p = packageFrom(f.path, decoder.decode(bytes));
    if (p !== null) packages.push(p);
  }
  return { packages, owned: new Set(), metadataFiles };
}

export const pythonCataloger: Cataloger = {
  name: 'python',
  captures: (path, size) => size <= MAX_METADATA_BYTES && METADATA_RE.test(path),
  catalog,
};
