import { fail } from '../core/index.ts';
import type { VexStatus } from './types.ts';

/**
 * OpenVEX 0.2.0 documents (https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md): the model,
 * a validator that reports every problem at once, and a serializer with a fixed key order so equal
 * documents are equal bytes.
 */

export const OPENVEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';
/** Largest VEX document accepted. */
export const MAX_VEX_BYTES = 16 * 1024 * 1024;

/** Status justifications for `not_affected` (spec section "Status Justifications"). */
export const JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type Justification = (typeof JUSTIFICATIONS)[number];
export const VEX_STATUSES: readonly VexStatus[] = ['not_affected', 'affected', 'fixed', 'under_investigation'];

export interface VexIdentifiers {
  readonly purl?: string;
  readonly cpe22?: string;
  readonly cpe23?: string;
}
export interface VexSubcomponent {
  readonly '@id'?: string;
  readonly identifiers?: VexIdentifiers;
  readonly hashes?: Readonly<Record<string, string>>;
}
export interface VexProduct extends VexSubcomponent {
  readonly subcomponents?: readonly VexSubcomponent[];
}
export interface VexVulnerability {
  readonly '@id'?: string;
  readonly name: string;
  readonly description?: string;
  readonly aliases?: readonly string[];
}
export interface VexStatement {
  readonly '@id'?: string;
  readonly version?: number;
  readonly vulnerability: VexVulnerability;
  readonly timestamp?: string;
  readonly last_updated?: string;
  readonly products?: readonly VexProduct[];
  readonly status: VexStatus;
  readonly supplier?: string;
  readonly status_notes?: string;
  readonly justification?: Justification;
  readonly impact_statement?: string;
  readonly action_statement?: string;
  readonly action_statement_timestamp?: string;
}
export interface OpenVexDocument {
  readonly '@context': string;
  readonly '@id': string;
  readonly author: string;
  readonly role?: string;
  readonly timestamp: string;
  readonly last_updated?: string;
  readonly version: number;
  readonly tooling?: string;
  readonly statements: readonly VexStatement[];
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isTime = (x: unknown) => typeof x === 'string' && /^\d{4}-\d\d-\d\dT/.test(x) && !Number.isNaN(Date.parse(x));

function checkComponent(c: unknown, where: string, problems: string[], allowSub: boolean): void {
  if (!isObj(c)) {
    problems.push(`${where}: expected an object`);
    return;
  }
  const ids = c.identifiers;
  if (c['@id'] === undefined && ids === undefined) problems.push(`${where}: needs @id or identifiers`);
  if (c['@id'] !== undefined && typeof c['@id'] !== 'string') problems.push(`${where}.@id: expected a string`);
  if (ids !== undefined && (!isObj(ids) || !Object.values(ids).every((v) => typeof v === 'string'))) {
    problems.push(`${where}.identifiers: expected a map of strings`);
  }
  if (c.subcomponents !== undefined) {
    if (!allowSub || !Array.isArray(c.subcomponents)) problems.push(`${where}.subcomponents: not allowed here`);
    else
      c.subcomponents.forEach((s, i) => {
        checkComponent(s, `${where}.subcomponents[${i}]`, problems, false);
      });
  }
}

function checkStatement(s: unknown, where: string, problems: string[]): void {
  if (!isObj(s)) {
    problems.push(`${where}: expected an object`);
    return;
  }
  const v = s.vulnerability;
  if (!isObj(v) || typeof v.name !== 'string' || v.name === '') problems.push(`${where}.vulnerability.name: missing`);
  else if (v.aliases !== undefined && !(Array.isArray(v.aliases) && v.aliases.every((a) => typeof a === 'string'))) {
    problems.push(`${where}.vulnerability.aliases: expected a list of strings`);
  }
  const status = s.status;
  if (!VEX_STATUSES.includes(status as VexStatus))
    problems.push(`${where}.status: not one of ${VEX_STATUSES.join(', ')}`);
  const j = s.justification;
  if (j !== undefined && !JUSTIFICATIONS.includes(j as Justification)) problems.push(`${where}.justification: unknown`);
  if (status === 'not_affected' && j === undefined && typeof s.impact_statement !== 'string') {
    problems.push(`${where}: not_affected needs a justification or an impact_statement`);
  }
  if (status === 'affected' && typeof s.action_statement !== 'string') {
    problems.push(`${where}: affected needs an action_statement`);
  }
  for (const k of ['timestamp', 'last_updated', 'action_statement_timestamp']) {
    if (s[k] !== undefined && !isTime(s[k])) problems.push(`${where}.${k}: not an RFC 3339 date-time`);
  }
  if (s.products !== undefined) {
    if (!Array.isArray(s.products)) problems.push(`${where}.products: expected an array`);
    else
      s.products.forEach((p, i) => {
        checkComponent(p, `${where}.products[${i}]`, problems, true);
      });
  }
}

/**
 * Validates a decoded document against OpenVEX 0.2.0 and returns it typed. Collects every problem and
 * throws one INVALID_INPUT listing them (`what` names the document in the message).
 */
export function assertOpenVex(doc: unknown, what: string): OpenVexDocument {
  const problems: string[] = [];
  if (!isObj(doc)) fail('INVALID_INPUT', `${what}: not an OpenVEX document (expected a JSON object)`);
  if (typeof doc['@context'] !== 'string' || !doc['@context'].startsWith('https://openvex.dev/ns')) {
    problems.push('@context: expected https://openvex.dev/ns/v0.2.0');
  }
  if (typeof doc['@id'] !== 'string' || doc['@id'] === '') problems.push('@id: missing');
  if (typeof doc.author !== 'string' || doc.author === '') problems.push('author: missing');
  if (!isTime(doc.timestamp)) problems.push('timestamp: missing or not an RFC 3339 date-time');
  if (!Number.isInteger(doc.version) || (doc.version as number) < 1) problems.push('version: expected an integer >= 1');
  if (!Array.isArray(doc.statements)) problems.push('statements: expected an array');
  else
    doc.statements.forEach((s, i) => {
      checkStatement(s, `statements[${i}]`, problems);
    });
  if (problems.length > 0) {
    fail('INVALID_INPUT', `${what}: invalid OpenVEX document:\n  ${problems.join('\n  ')}`, {
      hint: 'see https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md',
    });
  }
  return doc as unknown as OpenVexDocument;
}

/** Decodes and validates OpenVEX JSON bytes (at most MAX_VEX_BYTES). */
export function parseOpenVex(bytes: Uint8Array | string, what: string): OpenVexDocument {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
  if (size > MAX_VEX_BYTES) fail('INVALID_INPUT', `${what}: larger than ${MAX_VEX_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    fail('INVALID_INPUT', `${what}: not valid JSON`, { cause: err });
  }
  return assertOpenVex(doc, what);
}

const STATEMENT_KEYS = [
  '@id',
  'version',
  'vulnerability',
  'timestamp',
  'last_updated',
  'products',
  'status',
  'supplier',
  'status_notes',
  'justification',
  'impact_statement',
  'action_statement',
  'action_statement_timestamp',
] as const;
const DOC_KEYS = ['@context', '@id', 'author', 'role', 'timestamp', 'last_updated', 'version', 'tooling'] as const;

function ordered<T extends object>(o: T, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Serializes with the spec's key order, 2-space indent and a final newline: deterministic bytes. */
export function serializeOpenVex(doc: OpenVexDocument): string {
  const out = ordered(doc, DOC_KEYS);
  out.statements = doc.statements.map((s) => ordered(s, STATEMENT_KEYS));
  return `${JSON.stringify(out, null, 2)}\n`;
}
