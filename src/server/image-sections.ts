import type { PlatformDetails, ProvenanceSummary } from '../catalog/index.ts';
import type { CtrfDocument } from '../testing/index.ts';
import type { Finding } from '../vuln/index.ts';
import { type Html, html } from './html.ts';

/*
 * The per-platform sections of an image page: vulnerabilities with their VEX status, packages from the SBOM,
 * provenance and the CTRF test report. Everything shown comes from outside data and is escaped by `html`.
 */

/** Findings that are active, then those VEX suppressed, with the VEX status and justification. */
export function vulnerabilityTable(d: PlatformDetails): Html {
  if (d.findings === null) {
    return html`<p class="muted">No vulnerability database: run <code>ironclad db update</code>.</p>`;
  }
  const rows = [...d.findings, ...d.suppressed];
  if (rows.length === 0) return html`<p>No known vulnerabilities.</p>`;
  return html`<details${d.findings.length <= 30 ? html` open` : ''}><summary>${d.findings.length} active, ${d.suppressed.length} resolved by VEX</summary>
<table data-testid="findings"><thead><tr><th>Vulnerability</th><th>Severity</th><th>Package</th><th>Installed</th><th>Fixed</th><th>VEX status</th><th>Summary</th></tr></thead>
<tbody>${rows.map(findingRow)}</tbody></table></details>`;
}

function findingRow(f: Finding): Html {
  const vex = f.vex;
  return html`<tr><td><code>${f.id}</code></td><td class="sev sev-${f.severity}">${f.severity}</td>
<td>${f.sourceName}${f.packages.length > 0 ? html`<br><span class="muted">${f.packages.join(', ')}</span>` : ''}</td>
<td><code>${f.installedVersion}</code></td><td>${f.fixedVersion === null ? html`<span class="muted">no fix yet</span>` : html`<code>${f.fixedVersion}</code>`}</td>
<td>${
    vex === undefined
      ? html`<span class="muted">affected (no statement)</span>`
      : html`<strong>${vex.status}</strong>${vex.justification ? html`<br>${vex.justification}` : ''}${
          vex.impactStatement ? html`<br><span class="muted">${vex.impactStatement}</span>` : ''
        }`
  }</td><td>${f.summary}</td></tr>`;
}

/** The SBOM's packages: name, version, source, type and purl. */
export function packageTable(d: PlatformDetails): Html {
  return html`<details><summary data-testid="package-count">${d.packages.length} packages</summary>
<table><thead><tr><th>Package</th><th>Version</th><th>Source</th><th>Type</th><th>purl</th></tr></thead><tbody>${d.packages.map(
    (p) =>
      html`<tr><td>${p.name}</td><td><code>${p.version}</code></td><td>${p.sourceName}</td><td>${p.type}</td><td><code>${p.purl}</code></td></tr>`,
  )}</tbody></table></details>`;
}

/** SLSA provenance: build type, builder, materials. */
export function provenanceSection(p: ProvenanceSummary | null): Html {
  if (p === null) {
    return html`<p class="muted">No provenance attached (build with <code>--key</code> to attach signed SLSA provenance).</p>`;
  }
  return html`<dl><dt>Build type</dt><dd><code>${p.buildType}</code></dd><dt>Builder</dt><dd><code>${p.builder}</code></dd>
<dt>Ironclad</dt><dd>${p.ironcladVersion}</dd><dt>SOURCE_DATE_EPOCH</dt><dd>${p.sourceDateEpoch} (${new Date(p.sourceDateEpoch * 1000).toISOString()})</dd>
<dt>Definition</dt><dd><code>${p.definition.path}</code> sha256:${p.definition.sha256.slice(0, 16)}…</dd>
<dt>Tests</dt><dd>${p.testsSkipped ? 'skipped at build time' : 'run before tagging'}</dd></dl>
<details><summary>${p.materials.length} materials (resolved dependencies)</summary><table><thead><tr><th>URI</th><th>sha256</th></tr></thead><tbody>${p.materials.map(
    (m) => html`<tr><td><code>${m.uri}</code></td><td><code>${m.sha256 ?? '-'}</code></td></tr>`,
  )}</tbody></table></details>`;
}

/** The CTRF report: summary and each test. */
export function testSection(t: CtrfDocument | null): Html {
  if (t === null) {
    return html`<p class="muted">No test report attached (signed builds attach the CTRF report of the tests they ran).</p>`;
  }
  const s = t.results.summary;
  return html`<p data-testid="test-summary">${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped of ${s.tests} (CTRF ${t.specVersion})</p>
<details${s.failed > 0 ? html` open` : ''}><summary>${t.results.tests.length} tests</summary><table><thead><tr><th>Test</th><th>Type</th><th>Status</th><th>Message</th></tr></thead><tbody>${t.results.tests.map(
    (x) =>
      html`<tr><td>${x.name}</td><td>${x.type}</td><td class="${x.status === 'failed' ? 'sev sev-critical' : ''}">${x.status}</td><td>${x.message ?? ''}</td></tr>`,
  )}</tbody></table></details>`;
}
