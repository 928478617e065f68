import { fail, sha256Hex } from '../core/index.ts';
import {
  assertOpenVex,
  type Justification,
  OPENVEX_CONTEXT,
  type OpenVexDocument,
  serializeOpenVex,
  type VexProduct,
  type VexStatement,
} from './openvex.ts';
import type { VexStatus } from './types.ts';

/**
 * Operations behind `ironclad vex create|add|merge|show`. Every function returns a new document
 * (inputs are never changed), takes its time from the caller, and validates what it returns.
 */

/** RFC 3339 in UTC without fractional seconds: stable text for equal instants. */
export function vexTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** A statement as users describe it on the command line or in advisories. */
export interface StatementInput {
  readonly vulnerability: string;
  readonly aliases?: readonly string[];
  /** Product ids: purls (`pkg:oci/...@sha256:...`, `pkg:deb/...`) or other IRIs. */
  readonly products: readonly string[];
  /** Subcomponent purls, applied to every product. */
  readonly subcomponents?: readonly string[];
  readonly status: VexStatus;
  readonly justification?: Justification;
  readonly impactStatement?: string;
  readonly actionStatement?: string;
  readonly statusNotes?: string;
}

export interface DocumentInput {
  readonly author: string;
  readonly role?: string;
  /** Document IRI; derived from the content when absent, so equal inputs give equal documents. */
  readonly id?: string;
  readonly tooling?: string;
}

function product(id: string, subcomponents: readonly string[]): VexProduct {
  const ref = id.startsWith('pkg:') ? { '@id': id, identifiers: { purl: id } } : { '@id': id };
  if (subcomponents.length === 0) return ref;
  return { ...ref, subcomponents: subcomponents.map((s) => ({ '@id': s, identifiers: { purl: s } })) };
}

/** Builds one statement; `timestamp` is when the information was known to be true. */
export function buildStatement(input: StatementInput, timestamp: Date): VexStatement {
  if (input.products.length === 0)
    fail('USAGE', `statement for ${input.vulnerability}: at least one product is needed`);
  const s: VexStatement = {
    vulnerability: {
      name: input.vulnerability,
      ...(input.aliases !== undefined && input.aliases.length > 0 ? { aliases: [...input.aliases] } : {}),
    },
    timestamp: vexTime(timestamp),
    products: input.products.map((p) => product(p, input.subcomponents ?? [])),
    status: input.status,
    ...(input.statusNotes !== undefined ? { status_notes: input.statusNotes } : {}),
    ...(input.justification !== undefined ? { justification: input.justification } : {}),
    ...(input.impactStatement !== undefined ? { impact_statement: input.impactStatement } : {}),
    ...(input.actionStatement !== undefined ? { action_statement: input.actionStatement } : {}),
  };
  return s;
}

function finish(doc: Omit<OpenVexDocument, '@id'> & { '@id'?: string }, id: string | undefined): OpenVexDocument {
  const withoutId = { ...doc, '@id': '' } as OpenVexDocument;
  const derived = `urn:ironclad:vex:${sha256Hex(serializeOpenVex(withoutId)).slice(0, 32)}`;
  const full = { ...doc, '@id': id ?? derived } as OpenVexDocument;
  return assertOpenVex(JSON.parse(serializeOpenVex(full)), `VEX document ${full['@id']}`);
}

/** A new document (version 1) holding the given statements (OpenVEX requires at least one). */
export function createVexDocument(
  meta: DocumentInput,
  statements: readonly VexStatement[],
  now: Date,
): OpenVexDocument {
  if (statements.length === 0) fail('USAGE', 'a VEX document needs at least one statement');
  return finish(
    {
      '@context': OPENVEX_CONTEXT,
      author: meta.author,
      ...(meta.role !== undefined ? { role: meta.role } : {}),
      timestamp: vexTime(now),
      version: 1,
      tooling: meta.tooling ?? 'ironclad',
      statements: [...statements],
    },
    meta.id,
  );
}

/** The document with one more statement: version + 1, `last_updated` = now, same `@id`. */
export function addStatement(doc: OpenVexDocument, statement: VexStatement, now: Date): OpenVexDocument {
  return finish(
    { ...doc, version: doc.version + 1, last_updated: vexTime(now), statements: [...doc.statements, statement] },
    doc['@id'],
  );
}

const productKey = (p: VexProduct | undefined) => (p === undefined ? '' : (p['@id'] ?? p.identifiers?.purl ?? ''));

/**
 * Merges documents: statements are split per product, and for each (vulnerability, product) the newest
 * statement wins (statement timestamp, else its document's; on a tie the later document wins).
 * Output statements carry explicit timestamps and are sorted by vulnerability then product.
 */
export function mergeVexDocuments(docs: readonly OpenVexDocument[], meta: DocumentInput, now: Date): OpenVexDocument {
  const winners = new Map<string, { at: number; statement: VexStatement }>();
  for (const doc of docs) {
    for (const s of doc.statements) {
      const timestamp = s.timestamp ?? doc.timestamp;
      const at = Date.parse(timestamp);
      const products = s.products && s.products.length > 0 ? s.products : [undefined];
      for (const p of products) {
        const key = `${s.vulnerability.name}\0${productKey(p)}`;
        const prev = winners.get(key);
        if (prev !== undefined && prev.at > at) continue;
        const { products: _all, ...rest } = s;
        winners.set(key, { at, statement: { ...rest, timestamp, ...(p !== undefined ? { products: [p] } : {}) } });
      }
    }
  }
  const statements = [...winners.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, w]) => w.statement);
  return createVexDocument(meta, statements, now);
}

/** Rows for `vex show`: vulnerability, status, products, reason, timestamp. */
export function vexRows(doc: OpenVexDocument): string[][] {
  return doc.statements.map((s) => [
    s.vulnerability.name,
    s.status,
    (s.products ?? [])
      .map((p) => {
        const subs = (p.subcomponents ?? []).map((c) => c['@id'] ?? c.identifiers?.purl ?? '?');
        return subs.length > 0 ? `${productKey(p)} [${subs.join(', ')}]` : productKey(p);
      })
      .join(', '),
    s.justification ?? s.impact_statement ?? s.action_statement ?? s.status_notes ?? '',
    s.timestamp ?? doc.timestamp,
  ]);
}
