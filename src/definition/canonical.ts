import { canonicalJson, sha256Hex } from '../core/index.ts';

/*
 * The definition digest is taken over core's canonical JSON of the parsed document (RFC 8785 key order), so two
 * YAML files that differ only in formatting, comments, key order or quoting get the same digest.
 */

/** `sha256:<hex>` of the canonical JSON of `value`: the definition digest a lockfile records. */
export function documentDigest(value: unknown): string {
  return `sha256:${sha256Hex(canonicalJson(value))}`;
}
