/**
 * Package URLs as far as scanning and VEX matching need them
 * (https://github.com/package-url/purl-spec, PURL-SPECIFICATION.rst):
 * `pkg:type/namespace/name@version?qualifiers#subpath`, components percent-decoded.
 */
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

/** `pkg:deb/debian/NAME@VERSION` without qualifiers: the form advisories and VEX subcomponents use. */
export function debPurl(name: string, version: string): string {
  return `pkg:deb/debian/${encodeURIComponent(name)}@${encodeURIComponent(version).replace(/%2B/g, '+')}`;
}

/** `pkg:oci/NAME@sha256%3A...` for an image digest (purl-spec, type `oci`: the version is the digest). */
export function ociPurl(name: string, digest: string): string {
  return `pkg:oci/${encodeURIComponent(name)}@${encodeURIComponent(digest)}`;
}
