import { fail } from './errors.ts';

/**
 * Canonical JSON in the sense of RFC 8785 (JCS) for the values we produce: object keys sorted by UTF-16 code
 * units (JavaScript's default sort, which is what JCS §3.2.3 specifies), no insignificant whitespace, strings and
 * numbers serialised as ECMAScript does (JCS §3.2.2 defers to exactly that). Signed payloads and digested
 * documents go through this so the same input always gives the same bytes.
 *
 * Throws INTERNAL for values JSON cannot represent (undefined, functions, non-finite numbers, bigint): those are
 * programming errors, never user input. Properties whose value is `undefined` are omitted, as JSON.stringify does,
 * so optional fields under `exactOptionalPropertyTypes` need no special care.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, '$');
}

/** UTF-8 bytes of {@link canonicalJson}. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

function serialise(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) fail('INTERNAL', `canonical JSON: ${path} is not a finite number`);
      return JSON.stringify(value);
    case 'object':
      return Array.isArray(value) ? serialiseArray(value, path) : serialiseObject(value as object, path);
    default:
      return fail('INTERNAL', `canonical JSON: ${path} has type ${typeof value}, which JSON cannot represent`);
  }
}

function serialiseArray(items: readonly unknown[], path: string): string {
  return `[${items.map((v, i) => (v === undefined ? 'null' : serialise(v, `${path}[${i}]`))).join(',')}]`;
}

function serialiseObject(obj: object, path: string): string {
  const entries = Object.entries(obj)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${serialise(v, `${path}.${k}`)}`).join(',')}}`;
}
