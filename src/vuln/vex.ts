import { debPurl, type Purl, parsePurl, purlMatches } from '../sbom/index.ts';
import type { OpenVexDocument, VexProduct, VexStatement, VexSubcomponent } from './openvex.ts';
import type { Finding, VexDecision } from './types.ts';

/** What the scanned artifact is, so image-level VEX products can be recognised. */
export interface VexTarget {
  /** Manifest digest of the scanned image (`sha256:...`), when known. */
  readonly imageDigest?: string;
}

export interface VexOutcome {
  /** Findings still to report; `affected`/`under_investigation` statements are attached as `vex`. */
  readonly active: readonly Finding[];
  /** Findings a `not_affected` or `fixed` statement covers, with that decision attached. */
  readonly suppressed: readonly Finding[];
}

const SUPPRESSING = new Set(['not_affected', 'fixed']);

const idsOf = (c: VexSubcomponent): string[] =>
  [c['@id'], c.identifiers?.purl].filter((x): x is string => typeof x === 'string');

/** Purls a finding answers to: its binary packages and its source package (`pkg:deb/debian/SRC@SRCVER`). */
function findingPurls(f: Finding): Purl[] {
  return [...f.purls, debPurl({ name: f.sourceName, version: f.installedVersion, distro: null })]
    .map(parsePurl)
    .filter((p): p is Purl => p !== null);
}

function componentMatchesFinding(c: VexSubcomponent, purls: readonly Purl[]): boolean {
  return idsOf(c).some((id) => {
    const pattern = parsePurl(id);
    return pattern !== null && pattern.type !== 'oci' && purls.some((p) => purlMatches(pattern, p));
  });
}

/** True when the product names the scanned image: a `pkg:oci` purl or a bare digest equal to its digest. */
function productIsImage(p: VexProduct, target: VexTarget): boolean {
  const digest = target.imageDigest?.toLowerCase();
  if (digest === undefined) return false;
  return idsOf(p).some((id) => {
    if (id.toLowerCase() === digest) return true;
    const purl = parsePurl(id);
    return purl?.type === 'oci' && purl.version?.toLowerCase() === digest;
  });
}

/**
 * Product matching (OpenVEX spec, "Product" and "Subcomponents"): an image product applies to every
 * finding of the image, narrowed to its subcomponents when it lists any; a package product applies
 * to findings of that package. A statement without products applies to nothing: a document must say
 * what it is about before it may silence a finding.
 */
function statementCovers(s: VexStatement, f: Finding, purls: readonly Purl[], target: VexTarget): boolean {
  const names = new Set([s.vulnerability.name, ...(s.vulnerability.aliases ?? [])]);
  if (!names.has(f.id) && !f.aliases.some((a) => names.has(a))) return false;
  return (s.products ?? []).some((p) => {
    const subs = p.subcomponents ?? [];
    if (productIsImage(p, target)) return subs.length === 0 || subs.some((c) => componentMatchesFinding(c, purls));
    return componentMatchesFinding(p, purls);
  });
}

/**
 * Applies VEX documents to findings. When several statements cover one finding the newest wins
 * (statement `timestamp`, else its document's; later documents win ties), as the spec's
 * "statements override earlier ones" rule prescribes. Order of findings is preserved.
 */
export function applyVex(
  findings: readonly Finding[],
  docs: readonly OpenVexDocument[],
  target: VexTarget,
): VexOutcome {
  const active: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const f of findings) {
    const purls = findingPurls(f);
    let best: { decision: VexDecision; at: number } | null = null;
    for (const doc of docs) {
      for (const s of doc.statements) {
        if (!statementCovers(s, f, purls, target)) continue;
        const timestamp = s.timestamp ?? doc.timestamp;
        const at = Date.parse(timestamp);
        if (best !== null && at < best.at) continue;
        best = { at, decision: decisionOf(s, doc, timestamp) };
      }
    }
    if (best === null) active.push(f);
    else if (SUPPRESSING.has(best.decision.status)) suppressed.push({ ...f, vex: best.decision });
    else active.push({ ...f, vex: best.decision });
  }
  return { active, suppressed };
}

function decisionOf(s: VexStatement, doc: OpenVexDocument, timestamp: string): VexDecision {
  return {
    status: s.status,
    author: doc.author,
    documentId: doc['@id'],
    timestamp,
    ...(s.justification !== undefined ? { justification: s.justification } : {}),
    ...(s.impact_statement !== undefined ? { impactStatement: s.impact_statement } : {}),
    ...(s.action_statement !== undefined ? { actionStatement: s.action_statement } : {}),
  };
}
