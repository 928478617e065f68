import { suggestNames } from '../core/index.ts';
import { definitionJsonSchema } from './json-schema.ts';

/** Keys other tools use for what a definition calls differently; edit distance alone would not find these. */
const KNOWN_ALIASES: Readonly<Record<string, string>> = {
  'run-as': 'user',
  runas: 'user',
  expose: 'ports',
  'exposed-ports': 'ports',
  'working-dir': 'work-dir',
  env: 'environment',
  volume: 'volumes',
};

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

/**
 * "did you mean" for an unknown key at `path` (a path into the definition document): the allowed keys of the
 * object found there in the generated JSON Schema (all alternatives of a union), closest first. Empty when
 * nothing is close.
 */
export function suggestKeys(path: readonly PropertyKey[], key: string): string[] {
  let nodes: JsonSchema[] = [definitionJsonSchema() as JsonSchema];
  for (const segment of path) nodes = nodes.flatMap(alternatives).flatMap((n) => childSchemas(n, segment));
  const allowed = new Set(nodes.flatMap(alternatives).flatMap((n) => Object.keys(n.properties ?? {})));
  const alias = KNOWN_ALIASES[key];
  if (alias !== undefined && allowed.has(alias)) return [alias];
  return suggestNames(key, allowed, 3);
}

function alternatives(n: JsonSchema): JsonSchema[] {
  const nested = [...(n.anyOf ?? []), ...(n.oneOf ?? []), ...(n.allOf ?? [])];
  return [n, ...nested.flatMap(alternatives)];
}

function childSchemas(n: JsonSchema, segment: PropertyKey): JsonSchema[] {
  if (typeof segment === 'number') return n.items === undefined ? [] : [n.items];
  const named = n.properties?.[String(segment)];
  if (named !== undefined) return [named];
  return typeof n.additionalProperties === 'object' ? [n.additionalProperties] : [];
}
