import { sha256Hex } from '../core/index.ts';
import { parsePurl } from '../sbom/index.ts';
import type { ScanTarget } from './report.ts';
import type { Finding, ScanResult, Severity, VexDecision } from './types.ts';

/**
 * A CycloneDX 1.6 document holding only components and `vulnerabilities` (a "BOM with embedded VEX",
 * https://cyclonedx.org/docs/1.6/json/#vulnerabilities). Findings a VEX statement decided carry
 * `analysis`; suppressed findings are included too, since recording that decision is the point of VEX.
 */

/** CycloneDX `severity` enum has `info` where we say `negligible`. */
const CDX_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  low: 'low',
  negligible: 'info',
  unknown: 'unknown',
};

/** OpenVEX status → CycloneDX `analysis.state` (impactAnalysisState). */
const STATE: Readonly<Record<VexDecision['status'], string>> = {
  not_affected: 'not_affected',
  fixed: 'resolved',
  affected: 'exploitable',
  under_investigation: 'in_triage',
};

/** OpenVEX justification → CycloneDX `analysis.justification` (nearest meaning; see docs/vulnerabilities.md). */
const JUSTIFICATION: Readonly<Record<string, string>> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};

/** A UUID-shaped serial number derived from content, so equal reports have equal serials. */
function serialFrom(text: string): string {
  const h = sha256Hex(text);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function analysis(v: VexDecision) {
  const justification = v.justification !== undefined ? JUSTIFICATION[v.justification] : undefined;
  const detail = v.impactStatement ?? v.actionStatement;
  return {
    state: STATE[v.status],
    ...(justification !== undefined ? { justification } : {}),
    ...(detail !== undefined ? { detail } : {}),
  };
}

function vulnerability(f: Finding) {
  const method = f.severitySource === 'cvss' && f.cvssVector?.startsWith('CVSS:3.1') ? 'CVSSv31' : 'CVSSv3';
  const rating =
    f.severitySource === 'cvss' && f.cvssScore !== null && f.cvssVector !== null
      ? {
          source: { name: 'NVD' },
          score: f.cvssScore,
          severity: CDX_SEVERITY[f.severity],
          method,
          vector: f.cvssVector,
        }
      : { source: { name: 'Debian' }, severity: CDX_SEVERITY[f.severity], method: 'other' };
  return {
    'bom-ref': `${f.id}/${f.sourceName}`,
    id: f.id,
    source: { name: 'Debian', url: `https://security-tracker.debian.org/tracker/${encodeURIComponent(f.id)}` },
    ...(f.aliases.length > 0 ? { references: f.aliases.map((a) => ({ id: a, source: { name: 'OSV' } })) } : {}),
    ratings: [rating],
    ...(f.summary !== '' ? { description: f.summary } : {}),
    ...(f.fixedVersion !== null ? { recommendation: `Upgrade ${f.sourceName} to ${f.fixedVersion} or later.` } : {}),
    ...(f.vex !== undefined ? { analysis: analysis(f.vex) } : {}),
    affects: f.purls.map((ref) => ({ ref, versions: [{ version: f.installedVersion, status: 'affected' }] })),
  };
}

/** The CycloneDX 1.6 JSON text; `now` stamps `metadata.timestamp`. */
export function cyclonedxVexReport(result: ScanResult, target: ScanTarget, toolVersion: string, now: Date): string {
  const all = [...result.findings, ...result.suppressed];
  const components = new Map<string, string>();
  for (const f of all) {
    f.purls.forEach((purl, i) => {
      components.set(purl, f.packages[i] ?? f.sourceName);
    });
  }
  const body = {
    components: [...components.keys()].sort().map((purl) => {
      const version = parsePurl(purl)?.version ?? '';
      return { type: 'library', 'bom-ref': purl, name: components.get(purl) ?? '', version, purl };
    }),
    vulnerabilities: all.map(vulnerability),
  };
  const doc = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: serialFrom(JSON.stringify([target, body])),
    version: 1,
    metadata: {
      timestamp: now.toISOString(),
      tools: { components: [{ type: 'application', name: 'ironclad', version: toolVersion }] },
      ...(target.imageDigest !== null
        ? { component: { type: 'container', 'bom-ref': target.ref, name: target.ref, version: target.imageDigest } }
        : {}),
    },
    ...body,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
