/**
 * Extracts the openAPIV3Schema of one version of a Kubernetes CustomResourceDefinition into a JSON Schema file for
 * the admission policy tests (test/fixtures/policy/README.md names each source). Only prose goes: `description`
 * texts and the `status` subtree, which the controller writes and a policy never carries. Every type, enum,
 * required list, default and x-kubernetes-* marker stays as published.
 *
 *   npx tsx scripts/vendor-crd-schema.ts CRD.yaml VERSION OUT.json "SOURCE (repo, path, tag, commit)"
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function withoutDescriptions(node: Json): Json {
  if (Array.isArray(node)) return node.map(withoutDescriptions);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => key !== 'description')
      .map(([key, value]) => [key, withoutDescriptions(value)]),
  );
}

function versionSchema(crd: unknown, version: string): Record<string, Json> {
  const versions = (crd as { spec?: { versions?: { name: string; schema?: { openAPIV3Schema?: unknown } }[] } }).spec
    ?.versions;
  const schema = versions?.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  if (schema === undefined || schema === null || typeof schema !== 'object') {
    throw new Error(`no openAPIV3Schema for version ${version}`);
  }
  return schema as Record<string, Json>;
}

const [crdFile, version, out, source] = process.argv.slice(2);
if (crdFile === undefined || version === undefined || out === undefined || source === undefined) {
  process.stderr.write('usage: vendor-crd-schema.ts CRD.yaml VERSION OUT.json SOURCE\n');
  process.exit(2);
}
const docs = parseAllDocuments(await readFile(crdFile, 'utf8')).map((d) => d.toJS() as unknown);
const crd = docs.find((d) => (d as { kind?: string } | null)?.kind === 'CustomResourceDefinition');
const schema = versionSchema(crd, version);
const { status: _status, ...properties } = schema.properties as Record<string, Json>;
const trimmed = {
  $comment: `${source}; version ${version}; descriptions and status removed`,
  ...(withoutDescriptions({ ...schema, properties }) as Record<string, Json>),
};
await writeFile(out, `${JSON.stringify(trimmed, null, 1)}\n`);
process.stderr.write(`wrote ${out}\n`);
