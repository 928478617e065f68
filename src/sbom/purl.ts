import type { SbomDistro } from './model.ts';

/**
 * Package URLs for the packages we catalog (purl-spec, PURL-SPECIFICATION.rst, "Character encoding"), written
 * the way syft writes them so that grype, trivy and our own scanner read the same identity:
 * `pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&upstream=glibc&distro=debian-12`.
 */

// purl-spec: these never need encoding anywhere in a purl.
const UNRESERVED = /[A-Za-z0-9._~-]/;

function encode(s: string, keep: string): string {
  let out = '';
  for (const ch of s) {
    if (UNRESERVED.test(ch) || keep.includes(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A name or namespace segment: everything but unreserved characters percent-encoded. */
export function encodeSegment(s: string): string {
  return encode(s, '');
}

/**
 * A version: `:` (Debian epochs) and `+` stay literal, as syft (packageurl-go's path escaping) writes them and as
 * the purl spec allows; everything else outside the unreserved set is encoded.
 */
export function encodeVersion(s: string): string {
  return encode(s, ':+');
}

/** A qualifier value: fully encoded, so `@` becomes `%40` and `+` becomes `%2B` (packageurl-go does the same). */
export function encodeQualifier(s: string): string {
  return encode(s, '');
}

function qualifiers(pairs: readonly (readonly [string, string | undefined])[]): string {
  const q = pairs.filter((p): p is readonly [string, string] => p[1] !== undefined && p[1] !== '');
  return q.length === 0 ? '' : `?${q.map(([k, v]) => `${k}=${encodeQualifier(v)}`).join('&')}`;
}

/** `debian-12` for purl `distro=` qualifiers (syft: ID-VERSION_ID; codename when there is no version). */
export function distroQualifier(d: SbomDistro | null): string | undefined {
  if (d === null) return undefined;
  const v = d.versionId !== '' ? d.versionId : d.codename;
  return v === '' ? d.id : `${d.id}-${v}`;
}

export interface DebPurlInput {
  readonly name: string;
  readonly version: string;
  readonly arch?: string;
  /** The `Source:` name, when the status entry has one. */
  readonly sourceName?: string;
  /** The source version, only when it differs from the binary version (`Source: name (version)`). */
  readonly sourceVersion?: string;
  readonly distro: SbomDistro | null;
}

/**
 * A Debian purl exactly as syft writes it: namespace = os-release ID, qualifiers in the order arch, upstream,
 * distro; `upstream` is the source name, or `SRC@SRCVER` when the source version differs from the binary's.
 */
export function debPurl(p: DebPurlInput): string {
  const upstream =
    p.sourceName === undefined
      ? undefined
      : p.sourceVersion !== undefined && p.sourceVersion !== p.version
        ? `${p.sourceName}@${p.sourceVersion}`
        : p.sourceName;
  const ns = encodeSegment(p.distro?.id ?? 'debian');
  return `pkg:deb/${ns}/${encodeSegment(p.name)}@${encodeVersion(p.version)}${qualifiers([
    ['arch', p.arch],
    ['upstream', upstream],
    ['distro', distroQualifier(p.distro)],
  ])}`;
}

/** PEP 503 normalised project name: lower case, runs of `-`, `_`, `.` become one `-` (purl-spec, type pypi). */
export function normalizePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export function pypiPurl(name: string, version: string): string {
  return `pkg:pypi/${encodeSegment(normalizePypiName(name))}@${encodeVersion(version)}`;
}

/** `@scope/name` → `pkg:npm/%40scope/name@ver` (purl-spec, type npm: the scope is the namespace). */
export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const path =
    slash > 0 ? `${encodeSegment(name.slice(0, slash))}/${encodeSegment(name.slice(slash + 1))}` : encodeSegment(name);
  return `pkg:npm/${path}@${encodeVersion(version)}`;
}

/** `github.com/a/b` → `pkg:golang/github.com/a/b@v1.2.3`; each path element is a segment (purl-spec, golang). */
export function golangPurl(module: string, version: string): string {
  const path = module.split('/').filter(Boolean).map(encodeSegment).join('/');
  return `pkg:golang/${path}@${encodeVersion(version)}`;
}

/** `pkg:oci/NAME@sha256%3A…` for the image itself (purl-spec, type oci: the name is the last path element). */
export function ociPurl(imageName: string, digest: string, repositoryUrl?: string): string {
  const last = imageName.slice(imageName.lastIndexOf('/') + 1).toLowerCase();
  return `pkg:oci/${encodeSegment(last)}@${encodeQualifier(digest)}${qualifiers([['repository_url', repositoryUrl]])}`;
}

// Reading purls: as far as scanning and VEX matching need them.

/** A parsed purl (`pkg:type/namespace/name@version?qualifiers#subpath`), components percent-decoded. */
export interface Purl {
  readonly type: string;
  /** Decoded namespace segments joined by `/`, or '' when absent. */
  readonly namespace: string;
  readonly name: string;
  readonly version: string | null;
  readonly qualifiers: ReadonlyMap<string, string>;
}

const MAX_PURL = 4096;

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** Parses a purl; null when it is not one (callers treat foreign identifiers as non-matching). */
export function parsePurl(text: string): Purl | null {
  if (text.length > MAX_PURL || !text.startsWith('pkg:')) return null;
  let rest = text.slice(4).replace(/^\/+/, '');
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const qualifiers = new Map<string, string>();
  const q = rest.indexOf('?');
  if (q >= 0) {
    for (const pair of rest.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const value = decode(pair.slice(eq + 1));
      if (value === null) return null;
      if (value !== '') qualifiers.set(pair.slice(0, eq).toLowerCase(), value);
    }
    rest = rest.slice(0, q);
  }
  let version: string | null = null;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    version = decode(rest.slice(at + 1));
    if (version === null) return null;
    rest = rest.slice(0, at);
  }
  const segments = rest.split('/').filter((s) => s !== '');
  const type = segments.shift()?.toLowerCase();
  const rawName = segments.pop();
  if (type === undefined || rawName === undefined || !/^[a-z][a-z0-9.+-]*$/.test(type)) return null;
  const name = decode(rawName);
  const ns = segments.map(decode);
  if (name === null || name === '' || ns.some((s) => s === null)) return null;
  return { type, namespace: ns.join('/'), name, version, qualifiers };
}

/**
 * True when `pattern` names `subject`: same type, namespace and name; the same version when the pattern
 * has one; and every qualifier of the pattern present with the same value in the subject. So
 * `pkg:deb/debian/openssl` matches any openssl build, `pkg:deb/debian/libssl3@3.0.15-1~deb12u1` only
 * that version on any architecture.
 */
export function purlMatches(pattern: Purl, subject: Purl): boolean {
  if (pattern.type !== subject.type || pattern.name !== subject.name) return false;
  if (pattern.namespace.toLowerCase() !== subject.namespace.toLowerCase()) return false;
  if (pattern.version !== null && pattern.version !== subject.version) return false;
  for (const [k, v] of pattern.qualifiers) if (subject.qualifiers.get(k) !== v) return false;
  return true;
}
