import { iterateParagraphs } from '../../debian/index.ts';
import { licensesFromCopyright, MAX_COPYRIGHT_BYTES, NOASSERTION } from '../licenses.ts';
import type { SbomPackage } from '../model.ts';
import { type CatalogContext, type Cataloger, type CatalogResult, decoder } from './cataloger.ts';
import { type DpkgEntry, dpkgEntry, dpkgPackage, resolveDepends } from './dpkg-entry.ts';
import { ownedPath } from './owned-path.ts';

/**
 * Debian packages from dpkg's database, in both layouts scanners know:
 * - `var/lib/dpkg/status` (a dpkg-managed system): stanzas with `Status: install ok installed`; files owned per
 *   `var/lib/dpkg/info/<pkg>[:<arch>].list`;
 * - `var/lib/dpkg/status.d/<pkg>` (distroless and Ironclad images): one stanza per file; files owned per
 *   `status.d/<pkg>.md5sums` (deb-md5sums(5)).
 * Licenses come from `usr/share/doc/<pkg>/copyright` when it is machine-readable (DEP-5).
 */

const STATUS = 'var/lib/dpkg/status';
const STATUS_D = 'var/lib/dpkg/status.d/';
const INFO = 'var/lib/dpkg/info/';
/** dpkg's status on a large system is a few MiB; status.d stanzas and md5sums are far smaller. */
const MAX_STATUS_BYTES = 64 * 1024 * 1024;
const MAX_FILE_LIST_BYTES = 16 * 1024 * 1024;

function isStatusD(path: string): boolean {
  if (!path.startsWith(STATUS_D)) return false;
  const base = path.slice(STATUS_D.length);
  return base !== '' && !base.includes('/') && !base.startsWith('.');
}

function isCopyright(path: string): boolean {
  return /^usr\/share\/doc\/[^/]+\/copyright$/.test(path);
}

async function readText(ctx: CatalogContext, path: string, max: number): Promise<string | undefined> {
  const bytes = await ctx.read(path, max);
  return bytes === undefined ? undefined : decoder.decode(bytes);
}

/** The stanzas of the status file and of every status.d entry; status.d wins for a name both list. */
async function readEntries(ctx: CatalogContext): Promise<{ entry: DpkgEntry; foundBy: string }[]> {
  const out = new Map<string, { entry: DpkgEntry; foundBy: string }>();
  const status = await readText(ctx, STATUS, MAX_STATUS_BYTES);
  if (status !== undefined) {
    for (const p of iterateParagraphs(status, { what: STATUS, maxLength: MAX_STATUS_BYTES })) {
      const e = dpkgEntry(p, STATUS, true);
      if (e !== null) out.set(`${e.name}:${e.arch}`, { entry: e, foundBy: 'dpkg-db-cataloger' });
    }
  }
  for (const f of ctx.files((p) => isStatusD(p) && !p.endsWith('.md5sums'))) {
    const text = (await readText(ctx, f.path, MAX_STATUS_BYTES)) ?? '';
    for (const p of iterateParagraphs(text, { what: f.path, maxLength: MAX_STATUS_BYTES })) {
      const e = dpkgEntry(p, f.path, false);
      if (e !== null) out.set(`${e.name}:${e.arch}`, { entry: e, foundBy: 'dpkg-status-d-cataloger' });
    }
  }
  return [...out.values()];
}

/** Paths a package installed, from its .list (absolute paths) or md5sums (`<md5>  <relative path>`). */
async function fileList(ctx: CatalogContext, e: DpkgEntry, fromStatusD: boolean): Promise<string[]> {
  if (fromStatusD) {
    const text = await readText(ctx, `${e.location}.md5sums`, MAX_FILE_LIST_BYTES);
    if (text === undefined) return [];
    return text
      .split('\n')
      .map((l) => /^[0-9a-f]{32} [ *]?(.+)$/.exec(l)?.[1])
      .filter((p): p is string => p !== undefined);
  }
  const text =
    (await readText(ctx, `${INFO}${e.name}:${e.arch}.list`, MAX_FILE_LIST_BYTES)) ??
    (await readText(ctx, `${INFO}${e.name}.list`, MAX_FILE_LIST_BYTES));
  return (text ?? '').split('\n').filter((l) => l.startsWith('/') && l !== '/.');
}

async function licensesOf(ctx: CatalogContext, name: string): Promise<string> {
  const text = await readText(ctx, `usr/share/doc/${name}/copyright`, MAX_COPYRIGHT_BYTES);
  return text === undefined ? NOASSERTION : licensesFromCopyright(text);
}

async function catalog(ctx: CatalogContext): Promise<CatalogResult> {
  const entries = await readEntries(ctx);
  const present = new Set(entries.map((x) => x.entry.name));
  const providers = new Map<string, string>();
  for (const { entry } of entries) for (const v of entry.provides) if (!providers.has(v)) providers.set(v, entry.name);
  const owned = new Set<string>();
  const metadataFiles = new Set<string>();
  const packages: SbomPackage[] = [];
  for (const { entry, foundBy } of entries) {
    const fromStatusD = foundBy === 'dpkg-status-d-cataloger';
    const files = (await fileList(ctx, entry, fromStatusD)).map((p) => ownedPath(ctx.fs, p));
    for (const f of files) owned.add(f);
    packages.push(
      dpkgPackage(entry, {
        distro: ctx.distro,
        foundBy,
        licenses: await licensesOf(ctx, entry.name),
        dependsOn: resolveDepends(entry, present, providers),
        ...(ctx.withFiles && { files: files.filter((f) => ctx.fs.get(f) !== undefined) }),
      }),
    );
  }
  for (const f of ctx.files((p) => p === STATUS || p.startsWith(STATUS_D) || p.startsWith(INFO))) {
    metadataFiles.add(f.path);
  }
  return { packages, owned, metadataFiles };
}

/** The dpkg cataloger (status and status.d layouts). */
export const dpkgCataloger: Cataloger = {
  name: 'dpkg',
  captures: (path) =>
    path === STATUS || isStatusD(path) || (path.startsWith(INFO) && path.endsWith('.list')) || isCopyright(path),
  catalog,
};
