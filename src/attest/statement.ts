import { canonicalJsonBytes, fail } from '../core/index.ts';
import { isRecord, parseJsonBytes } from './encoding.ts';

/*
 * in-toto Statement v1 (in-toto attestation spec, spec/v1/statement.md): binds a typed predicate to subjects
 * identified by digest.
 */

export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';
/** Still written by older cosign/syft; accepted when reading, never written. */
const STATEMENT_TYPE_V01 = 'https://in-toto.io/Statement/v0.1';

/**
 * Statements carry whole SBOMs; a few-hundred-package image gives a few MB. The limit only bounds memory against
 * hostile input.
 */
export const MAX_STATEMENT_BYTES = 64 * 1024 * 1024;

/** A ResourceDescriptor as used in `subject` (spec/v1/resource_descriptor.md): name + digest set. */
export interface StatementSubject {
  readonly name: string;
  /** Algorithm → lowercase hex, e.g. `{ sha256: "ab12…" }`. */
  readonly digest: Readonly<Record<string, string>>;
}

export interface Statement<P = unknown> {
  readonly _type: string;
  readonly subject: readonly StatementSubject[];
  readonly predicateType: string;
  readonly predicate: P;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const HEX = /^[0-9a-f]+$/;

/** Builds a v1 Statement; subjects keep the given order (it is part of what is signed). */
export function buildStatement<P>(
  subjects: readonly StatementSubject[],
  predicateType: string,
  predicate: P,
): Statement<P> {
  if (subjects.length === 0) fail('INTERNAL', 'an in-toto statement needs at least one subject');
  return { _type: STATEMENT_TYPE_V1, subject: subjects, predicateType, predicate };
}

/**
 * The subject for an OCI image: `digest` is the manifest (or index) digest `sha256:<hex>`. The name is the
 * image reference without tag or digest, which is informational only: verification matches on the digest.
 */
export function imageSubject(name: string, manifestDigest: string): StatementSubject {
  return { name, digest: { sha256: sha256HexOf(manifestDigest) } };
}

/** Extracts the hex part of `sha256:<hex>`. @throws IroncladError `INVALID_INPUT` for anything else. */
export function sha256HexOf(digest: string): string {
  const hex = digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : '';
  if (!HEX_SHA256.test(hex)) fail('INVALID_INPUT', `not a sha256 digest: ${digest.slice(0, 80)}`);
  return hex;
}

/** Canonical JSON bytes of a statement: what gets signed. Deterministic for equal input. */
export function statementBytes(statement: Statement): Uint8Array {
  return canonicalJsonBytes(statement);
}

/**
 * Parses and validates statement bytes (a verified DSSE payload). Accepts v1 and, for foreign attestations, v0.1.
 * @throws IroncladError `INVALID_INPUT` naming every invalid field.
 */
export function parseStatement(bytes: Uint8Array): Statement<unknown> {
  const doc = parseJsonBytes(bytes, 'in-toto statement', MAX_STATEMENT_BYTES);
  if (!isRecord(doc)) fail('INVALID_INPUT', 'in-toto statement: not a JSON object');
  const problems: string[] = [];
  if (doc._type !== STATEMENT_TYPE_V1 && doc._type !== STATEMENT_TYPE_V01) problems.push('_type');
  if (typeof doc.predicateType !== 'string' || doc.predicateType === '') problems.push('predicateType');
  if (doc.predicate !== undefined && !isRecord(doc.predicate)) problems.push('predicate');
  if (!Array.isArray(doc.subject) || doc.subject.length === 0) problems.push('subject');
  else
    doc.subject.forEach((s: unknown, i) => {
      problems.push(...subjectProblems(s, `subject[${i}]`));
    });
  if (problems.length > 0) fail('INVALID_INPUT', `in-toto statement: missing or invalid ${problems.join(', ')}`);
  return {
    _type: doc._type as string,
    subject: (doc.subject as Record<string, unknown>[]).map((s) => ({
      name: typeof s.name === 'string' ? s.name : '',
      digest: s.digest as Record<string, string>,
    })),
    predicateType: doc.predicateType as string,
    predicate: doc.predicate ?? {},
  };
}

function subjectProblems(s: unknown, path: string): string[] {
  if (!isRecord(s)) return [path];
  const problems: string[] = [];
  if (s.name !== undefined && typeof s.name !== 'string') problems.push(`${path}.name`);
  const digest = s.digest;
  if (!isRecord(digest) || Object.keys(digest).length === 0) return [...problems, `${path}.digest`];
  for (const [alg, value] of Object.entries(digest)) {
    const ok = typeof value === 'string' && (alg === 'sha256' ? HEX_SHA256.test(value) : HEX.test(value));
    if (!ok) problems.push(`${path}.digest.${alg}`);
  }
  return problems;
}
