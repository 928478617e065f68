import type { ScanTarget } from './report.ts';
import type { Finding, ScanResult, Severity } from './types.ts';

/**
 * SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html) output for
 * code scanning dashboards: one rule per vulnerability id (§3.49 reportingDescriptor), one result per
 * finding (§3.27). GitHub code scanning requires a physicalLocation with an artifactLocation uri on
 * every result, so results point at the scanned SBOM or image reference and name the package purl
 * as a logical location (§3.33).
 */

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** §3.27.10 `level`: errors for what should block, warnings to fix soon, notes for the rest. */
const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  negligible: 'note',
  unknown: 'note',
};

/**
 * GitHub's `security-severity` property (a CVSS-like number) orders alerts; without a CVSS score we
 * use a value inside the severity's CVSS band.
 */
const BAND: Readonly<Record<Severity, number | null>> = {
  critical: 9.5,
  high: 8,
  medium: 5.5,
  low: 2,
  negligible: 0.1,
  unknown: null,
};

const trackerUrl = (id: string) => `https://security-tracker.debian.org/tracker/${encodeURIComponent(id)}`;

function rule(f: Finding) {
  const score = f.cvssScore ?? BAND[f.severity];
  return {
    id: f.id,
    shortDescription: { text: `${f.id}${f.summary !== '' ? `: ${f.summary}` : ''}`.slice(0, 1024) },
    helpUri: trackerUrl(f.id),
    help: { text: `See ${trackerUrl(f.id)}` },
    defaultConfiguration: { level: LEVEL[f.severity] },
    properties: {
      tags: ['security', 'vulnerability'],
      ...(score !== null ? { 'security-severity': score.toFixed(1) } : {}),
      severity: f.severity,
      aliases: f.aliases,
    },
  };
}

function message(f: Finding): string {
  const fix = f.fixedVersion === null ? 'no fix is available yet' : `fixed in ${f.fixedVersion}`;
  return `${f.id} (${f.severity}) in ${f.sourceName} ${f.installedVersion} (installed: ${f.packages.join(', ')}); ${fix}`;
}

/**
 * The SARIF log as deterministic JSON text. `artifactUri` is the SBOM path or image reference the
 * results are anchored to; `toolVersion` is the ironclad version.
 */
export function sarifReport(result: ScanResult, target: ScanTarget, toolVersion: string): string {
  const ruleIndex = new Map<string, number>();
  const rules: ReturnType<typeof rule>[] = [];
  for (const f of result.findings) {
    if (!ruleIndex.has(f.id)) {
      ruleIndex.set(f.id, rules.length);
      rules.push(rule(f));
    }
  }
  const uri = target.ref;
  const results = result.findings.map((f) => ({
    ruleId: f.id,
    ruleIndex: ruleIndex.get(f.id) ?? 0,
    level: LEVEL[f.severity],
    message: { text: message(f) },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri } },
        logicalLocations: f.purls.map((p) => ({ name: p, fullyQualifiedName: p, kind: 'package' })),
      },
    ],
    // §3.27.17: a stable identity across runs, so dashboards track one alert per (vuln, package).
    partialFingerprints: { 'vulnerability/package': `${f.id}/${f.sourceName}` },
    properties: { installedVersion: f.installedVersion, fixedVersion: f.fixedVersion, packages: f.packages },
  }));
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ironclad',
            version: toolVersion,
            rules,
          },
        },
        results,
        properties: { imageDigest: target.imageDigest, ecosystem: result.ecosystem },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
