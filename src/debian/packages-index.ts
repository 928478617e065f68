import { fail } from '../core/index.ts';
import { type ControlParagraph, iterateParagraphs } from './control.ts';
import {
  parseDependencies,
  parseProvides,
  parseRelationList,
  RelationCache,
  type RelationParseOptions,
} from './relations.ts';
import type { DependencyGroup, PackageEntry, Relation } from './types.ts';
import { isValidVersion } from './version.ts';

/** Where an index came from; copied into every entry so a resolved package knows its suite and archive. */
export interface PackagesIndexOrigin {
  /** e.g. `bookworm`, `bookworm-security`. */
  readonly suite: string;
  /** e.g. `main`. */
  readonly component: string;
  /** Archive root that `Filename` is relative to, e.g. `https://deb.debian.org/debian`. */
  readonly baseUrl: string;
  /** Reject a larger index (UTF-16 code units). Default: the deb822 parser's limit. */
  readonly maxLength?: number;
}

const MULTI_ARCH = new Set(['no', 'same', 'foreign', 'allowed']);
const SHA256_RE = /^[0-9a-f]{64}$/;
const DIGITS_RE = /^[0-9]{1,15}$/;
// Source: `name` or `name (version)` (Policy §5.6.1).
const SOURCE_RE = /^([a-z0-9][a-z0-9+.-]*)(?:\s*\(\s*([^\s()]+)\s*\))?$/;

/**
 * Parses a binary Packages index (Debian Policy §5.3 fields, as served under `dists/<suite>/<component>/binary-*`)
 * into entries in file order. Relationship fields are parsed with `[arch]` restrictions evaluated for the entry's
 * own architecture (left unevaluated for `all`). The raw fields are kept, in order, for writing status.d files.
 *
 * Throws INVALID_INPUT naming the package and line when a required field (Package, Version, Architecture,
 * Filename, Size, SHA256) is missing or malformed, when Multi-Arch has an unknown value, or when Filename
 * could escape the archive root (absolute, `..` segments).
 */
export function parsePackagesIndex(text: string, origin: PackagesIndexOrigin): PackageEntry[] {
  const what = `Packages index of ${origin.suite}/${origin.component}`;
  const entries: PackageEntry[] = [];
  const opts = origin.maxLength === undefined ? { what } : { what, maxLength: origin.maxLength };
  const cache = new RelationCache();
  for (const p of iterateParagraphs(text, opts)) entries.push(toEntry(p, origin, what, cache));
  return entries;
}

/**
 * Converts one paragraph of a Packages index into a {@link PackageEntry}; the rules of
 * {@link parsePackagesIndex} apply. Exposed for callers that stream paragraphs themselves.
 */
export function packageEntryFromParagraph(p: ControlParagraph, origin: PackagesIndexOrigin): PackageEntry {
  return toEntry(p, origin, `Packages index of ${origin.suite}/${origin.component}`, undefined);
}

/** Throws INVALID_INPUT pointing at the paragraph; a plain function so the hot path creates no closures. */
function bad(what: string, p: ControlParagraph, msg: string): never {
  return fail('INVALID_INPUT', `${what}, line ${p.line}: ${msg}`);
}

function required(p: ControlParagraph, field: string, name: string, what: string): string {
  return p.get(field) ?? bad(what, p, `${name}: missing ${field} field`);
}

function toEntry(
  p: ControlParagraph,
  origin: PackagesIndexOrigin,
  what: string,
  cache: RelationCache | undefined,
): PackageEntry {
  const name = p.get('Package') ?? bad(what, p, 'stanza has no Package field');
  const version = required(p, 'Version', name, what);
  if (!isValidVersion(version)) bad(what, p, `${name}: invalid Version "${version}"`);
  const architecture = required(p, 'Architecture', name, what);
  const filename = required(p, 'Filename', name, what);
  if (!isSafeFilename(filename)) bad(what, p, `${name}: unsafe Filename "${filename.slice(0, 200)}"`);
  const sha256 = required(p, 'SHA256', name, what);
  if (!SHA256_RE.test(sha256)) bad(what, p, `${name}: SHA256 is not 64 lower-case hex digits`);
  const size = parseCount(required(p, 'Size', name, what), 'Size', name, what, p);
  const installedText = p.get('Installed-Size');
  const installedSize = installedText === undefined ? 0 : parseCount(installedText, 'Installed-Size', name, what, p);
  const multiArch = (p.get('Multi-Arch') ?? 'no').toLowerCase();
  if (!MULTI_ARCH.has(multiArch)) bad(what, p, `${name}: unknown Multi-Arch value "${multiArch}"`);
  const [source, sourceVersion] = parseSource(p, name, version, what);
  // `all` packages are installable on every architecture, so their restrictions cannot be decided here.
  const arch = architecture === 'all' ? undefined : architecture;

  return {
    name,
    version,
    architecture,
    source,
    sourceVersion,
    filename,
    size,
    sha256,
    multiArch: multiArch as PackageEntry['multiArch'],
    essential: p.get('Essential') === 'yes',
    priority: p.get('Priority') ?? '',
    section: p.get('Section') ?? '',
    installedSize,
    maintainer: p.get('Maintainer') ?? '',
    description: p.get('Description') ?? '',
    homepage: p.get('Homepage') ?? '',
    depends: relationField<DependencyGroup>(p, 'Depends', name, arch, cache, parseDependencies),
    preDepends: relationField<DependencyGroup>(p, 'Pre-Depends', name, arch, cache, parseDependencies),
    provides: relationField<Relation>(p, 'Provides', name, arch, cache, parseProvides),
    conflicts: relationField<Relation>(p, 'Conflicts', name, arch, cache, parseRelationList),
    breaks: relationField<Relation>(p, 'Breaks', name, arch, cache, parseRelationList),
    suite: origin.suite,
    component: origin.component,
    baseUrl: origin.baseUrl,
    fields: p.fields,
  };
}

const NONE: readonly never[] = Object.freeze([]);

function relationField<T>(
  p: ControlParagraph,
  field: string,
  name: string,
  arch: string | undefined,
  cache: RelationCache | undefined,
  parse: (text: string, o: RelationParseOptions) => T[],
): readonly T[] {
  const text = p.get(field);
  if (text === undefined) return NONE;
  const what = `${field} of ${name}`;
  const o: { what: string; architecture?: string; cache?: RelationCache } = { what };
  if (arch !== undefined) o.architecture = arch;
  if (cache !== undefined) o.cache = cache;
  return parse(text, o);
}

function parseCount(text: string, field: string, name: string, what: string, p: ControlParagraph): number {
  if (!DIGITS_RE.test(text)) bad(what, p, `${name}: ${field} "${text.slice(0, 40)}" is not a non-negative integer`);
  return Number(text);
}

function parseSource(p: ControlParagraph, name: string, version: string, what: string): [string, string] {
  const text = p.get('Source');
  if (text === undefined) return [name, version];
  const m = SOURCE_RE.exec(text);
  if (m === null) return bad(what, p, `${name}: malformed Source "${text.slice(0, 100)}"`);
  const srcVersion = m[2];
  if (srcVersion !== undefined && !isValidVersion(srcVersion)) {
    bad(what, p, `${name}: invalid source version "${srcVersion}"`);
  }
  return [m[1]!, srcVersion ?? version];
}

// Filename is joined to the archive root to download, and may name a cache path: it must stay inside. Checked
// with one expression: relative, no blanks, backslashes, NULs, `?` or `#`, and no empty, `.` or `..` segment.
const SAFE_FILENAME_RE = /^(?!\/)(?!.*(?:^|\/)\.{1,2}(?:\/|$))(?!.*\/\/)[^\s\0?#\\]{1,1024}$/;

function isSafeFilename(filename: string): boolean {
  return SAFE_FILENAME_RE.test(filename) && !filename.endsWith('/');
}
