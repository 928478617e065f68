import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/*
 * Validates Kubernetes objects against a CRD's openAPIV3Schema as vendored in test/fixtures/policy (README there names
 * each source), the way `kubectl apply` with its default strict field validation judges them: a field the schema
 * does not name is an error, unless the object is marked x-kubernetes-preserve-unknown-fields; apiVersion, kind and
 * metadata are allowed at the top of every object, as the API server allows them.
 */

const FIXTURES = join(import.meta.dirname, '../fixtures/policy');

/** The vendored CRD schemas, by file name. */
export const CRD_SCHEMAS = {
  kyvernoClusterPolicy: 'kyverno-clusterpolicy-v1.schema.json',
  clusterImagePolicy: 'policy-controller-clusterimagepolicy-v1beta1.schema.json',
} as const;

type Schema = { [key: string]: unknown };

/** A validator for one vendored schema; `errors` of a failed call name every bad path. */
export function crdValidator(file: string): ValidateFunction {
  const schema = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Schema;
  const root = strictFields(schema) as Schema;
  const properties = {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    ...(root.properties as Schema),
  };
  // CRDs state `required` inside oneOf branches for properties declared beside them, as OpenAPI allows.
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  addFormats.default(ajv);
  for (const keyword of [
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-map-type',
    'x-kubernetes-int-or-string',
    'x-kubernetes-embedded-resource',
  ]) {
    ajv.addKeyword({ keyword, schemaType: ['boolean', 'string', 'array'] });
  }
  return ajv.compile({ ...root, properties });
}

/** Every object schema with named properties and no other rule for unknown fields refuses unknown fields. */
function strictFields(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictFields);
  if (node === null || typeof node !== 'object') return node;
  const out: Schema = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, strictFields(v)]));
  if (
    out.properties !== undefined &&
    out.additionalProperties === undefined &&
    out['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}
