import {
  CTRF_REPORT,
  collectEvidence,
  type Evidence,
  parseProvenance,
  SLSA_PROVENANCE_V1,
  unverifiedStatement,
} from '../attest/index.ts';
import { isIroncladError } from '../core/index.ts';
import { parseDigest, type Referrers } from '../oci/index.ts';
import type { CtrfDocument } from '../testing/index.ts';
import type { ProvenanceSummary } from './model.ts';

/** What is attached to one platform manifest, as the catalog shows it. Nothing here is verified. */
export interface AttachedFacts {
  readonly signed: boolean;
  readonly attestations: readonly string[];
  readonly provenance: ProvenanceSummary | null;
  readonly tests: CtrfDocument | null;
}

/**
 * Reads the signatures and attestations attached to `manifest` (the same reader `attest list` uses). An
 * attestation that cannot be read is left out rather than failing the whole catalog: the page is informative,
 * and `ironclad verify` is where a broken attestation is an error.
 */
export async function attachedFacts(sink: Referrers, manifest: string): Promise<AttachedFacts> {
  const evidence = await collectEvidence(sink, parseDigest(manifest));
  const signed = evidence.some((e) => e.kind === 'signature' || e.kind === 'cosign-signature');
  const attestations: string[] = [];
  let provenance: ProvenanceSummary | null = null;
  let tests: CtrfDocument | null = null;
  for (const e of evidence) {
    if (e.kind !== 'attestation' && e.kind !== 'cosign-attestation') continue;
    const statement = readStatement(e);
    if (statement === undefined) continue;
    attestations.push(statement.predicateType);
    if (statement.predicateType === SLSA_PROVENANCE_V1) provenance = summarize(statement.predicate) ?? provenance;
    if (statement.predicateType === CTRF_REPORT && isCtrf(statement.predicate)) tests = statement.predicate;
  }
  return { signed, attestations: [...new Set(attestations)].sort(), provenance, tests };
}

function readStatement(e: Extract<Evidence, { kind: 'attestation' | 'cosign-attestation' }>) {
  try {
    return unverifiedStatement(e);
  } catch (err) {
    if (isIroncladError(err)) return undefined;
    throw err;
  }
}

function summarize(predicate: unknown): ProvenanceSummary | null {
  let read: ReturnType<typeof parseProvenance>;
  try {
    read = parseProvenance(predicate);
  } catch (err) {
    if (isIroncladError(err)) return null;
    throw err;
  }
  // parseProvenance checked the shape; the build type and raw materials are read from the same predicate.
  const def = (predicate as { buildDefinition: { buildType: string; resolvedDependencies?: unknown } }).buildDefinition;
  const deps = Array.isArray(def.resolvedDependencies) ? def.resolvedDependencies : [];
  return {
    buildType: def.buildType,
    builder: read.builderId,
    ironcladVersion: read.ironcladVersion,
    sourceDateEpoch: read.sourceDateEpoch,
    testsSkipped: read.noTest,
    definition: read.definition,
    materials: deps.flatMap((d: unknown) => {
      const r = d as { uri?: unknown; digest?: { sha256?: unknown } };
      if (typeof r.uri !== 'string') return [];
      return [{ uri: r.uri, sha256: typeof r.digest?.sha256 === 'string' ? r.digest.sha256 : null }];
    }),
  };
}

/** Enough of CTRF (ctrf.io) to render a report: a summary and a list of named tests with a status. */
function isCtrf(p: unknown): p is CtrfDocument {
  const r = (p as { results?: { summary?: unknown; tests?: unknown } } | null)?.results;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.summary === 'object' &&
    Array.isArray(r.tests) &&
    r.tests.every((t: unknown) => typeof (t as { name?: unknown }).name === 'string')
  );
}
