import { fail, sha256Hex } from '../core/index.ts';

/**
 * Canonical JSON of a parsed definition document: object keys sorted by UTF-16 code units (as RFC 8785 §3.2.3
 * orders them), no whitespace, strings and numbers as ECMAScript serialises them. Two YAML files that differ only
 * in formatting, comments, key order or quoting give the same text; any change of a value gives another.
 *
 * Accepts only what a YAML document converts to (null, booleans, finite numbers, strings, arrays, plain
 * objects); anything else is a programming error and throws INTERNAL.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) fail('INTERNAL', 'canonical JSON: a number is not finite');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const rec = value as Record<string, unknown>;
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(rec[k])}`).join(',')}}`;
    }
    default:
      return fail('INTERNAL', `canonical JSON: a ${typeof value} cannot be represented`);
  }
}

/** `sha256:<hex>` of {@link canonicalJson}: the definition digest a lockfile records. */
export function documentDigest(value: unknown): string {
  return `sha256:${sha256Hex(canonicalJson(value))}`;
}
