import { type CatalogEntry, type CatalogVariant, consumeCommands, type PlatformDetails } from '../catalog/index.ts';
import type { CompareResult } from '../compare/index.ts';
import { formatBytes } from '../core/index.ts';
import { legend, severityBar, severityCounts, sizeBar } from './bars.ts';
import { type Html, html, page, safeHref } from './html.ts';
import { packageTable, provenanceSection, testSection, vulnerabilityTable } from './image-sections.ts';
import { badge, eolBadge, testBadge } from './list-page.ts';
import type { SiteModel } from './site-model.ts';

type Comparison = CompareResult | { readonly unavailable: string } | null;

/** One image's page: overview and usage, variants and tags, sizes, vulnerabilities, packages, provenance, tests,
 * history, the comparison with its conventional counterpart, and the commands to pull, verify and scan it. */
export function renderImagePage(model: SiteModel, e: CatalogEntry, comparison: Comparison): string {
  const details = model.details.get(e.id);
  const built = e.variants.filter((v) => v.image !== null);
  const per = (v: CatalogVariant): readonly PlatformDetails[] => ordered(details?.get(v.variant) ?? [], model.platform);
  const body = html`<p><a href="../index.html">← all images</a></p>
<h1 data-testid="image-title">${e.id}</h1>
<p class="lead">${e.description} ${eolBadge(e)}</p>
<nav class="toc"><a href="#overview">Overview</a><a href="#variants">Variants and tags</a><a href="#sizes">Sizes</a><a href="#vulnerabilities">Vulnerabilities</a><a href="#packages">Packages</a><a href="#provenance">Provenance</a><a href="#tests">Tests</a><a href="#history">History</a><a href="#comparison">Comparison</a><a href="#commands">Commands</a></nav>
${overview(e)}
<h2 id="variants">Variants and tags</h2>${variantTable(e)}
<h2 id="sizes">Sizes</h2>${sizes(built)}
<h2 id="vulnerabilities">Vulnerabilities</h2>${vulnerabilities(built, per)}
<h2 id="packages">Packages</h2>${perPlatform(built, per, packageTable)}
<h2 id="provenance">Provenance</h2>${perPlatform(built, per, (d) => provenanceSection(d.provenance))}
<h2 id="tests">Tests</h2>${perPlatform(built, per, (d) => testSection(d.tests))}
<h2 id="history">History</h2><p class="muted" data-testid="history">no history recorded</p>
<h2 id="comparison">Comparison with the conventional image</h2>${compareSection(e, comparison)}
<h2 id="commands">Commands</h2>${commands(e, model.registry)}
<p class="muted">Machine-readable: <a href="${`${e.id}.json`}">${e.id}.json</a>.</p>`;
  return page(`${e.id} — Ironclad catalog`, '../', body);
}

/** The preferred platform first, then the others in index order. */
function ordered(ds: readonly PlatformDetails[], platform: string): readonly PlatformDetails[] {
  return [...ds.filter((d) => d.platform === platform), ...ds.filter((d) => d.platform !== platform)];
}

function overview(e: CatalogEntry): Html {
  return html`<section class="card" id="overview"><p data-testid="overview">${e.overview}</p>
${e.pastEndOfLife ? html`<p class="badge b-warn">Past its upstream end of life (${e.endOfLife}): no upstream fixes any more.</p>` : ''}
<dl><dt>Image name</dt><dd><code>${e.name}</code></dd><dt>Distribution</dt><dd>${e.distro}</dd>
<dt>Released</dt><dd>${e.release ?? 'unknown'}</dd><dt>End of life</dt><dd>${e.endOfLife ?? 'unknown'}</dd></dl>
${e.usage.length > 0 ? html`<h3>Usage</h3><ul>${e.usage.map((u) => html`<li>${u}</li>`)}</ul>` : ''}
${e.links.length > 0 ? html`<h3>Links</h3><ul>${e.links.map((l) => html`<li><a href="${safeHref(l.url)}" rel="noopener noreferrer">${l.title}</a></li>`)}</ul>` : ''}
</section>`;
}

function variantTable(e: CatalogEntry): Html {
  return html`<table><thead><tr><th>Variant</th><th>Reference</th><th>Tags</th><th>User</th><th>Shell</th><th>Package manager</th><th>Index digest</th><th>Last patched</th><th>Trust</th></tr></thead><tbody>${e.variants.map(
    (
      v,
    ) => html`<tr><td>${v.variant}<br><span class="muted">${v.description}</span></td><td><code>${v.reference}</code></td>
<td>${v.tags.map((t) => html`<code>${t}</code> `)}</td><td>${v.user}</td><td>${v.shell ? 'yes' : 'no'}</td><td>${v.packageManager ? 'yes' : 'no'}</td>
<td>${v.image === null ? html`<span class="muted">not built (${v.definedPlatforms.join(', ')})</span>` : html`<code>${v.image.digest.slice(0, 19)}…</code>`}</td>
<td>${v.image?.lastPatched ?? '-'}</td><td>${v.image === null ? '-' : html`${badge(v.image.signed, 'signed', 'unsigned')}${testBadge(v.image.tested)}`}</td></tr>`,
  )}</tbody></table>`;
}

function sizes(built: readonly CatalogVariant[]): Html {
  if (built.length === 0) return notBuilt();
  const rows = built.flatMap((v) => (v.image?.platforms ?? []).map((p) => ({ v, p })));
  const max = Math.max(...rows.map((r) => r.p.compressedSize));
  return html`<table><thead><tr><th>Variant</th><th>Platform</th><th class="num">Compressed</th><th style="width:40%"></th><th class="num">Layers</th><th class="num">Packages</th></tr></thead><tbody>${rows.map(
    ({
      v,
      p,
    }) => html`<tr><td>${v.variant}</td><td>${p.platform}</td><td class="num">${formatBytes(p.compressedSize)}</td>
<td>${sizeBar(p.compressedSize, max)}</td><td class="num">${p.layers}</td><td class="num">${p.packages}</td></tr>`,
  )}</tbody></table>`;
}

function vulnerabilities(
  built: readonly CatalogVariant[],
  per: (v: CatalogVariant) => readonly PlatformDetails[],
): Html {
  if (built.length === 0) return notBuilt();
  const rows = built.flatMap((v) => (v.image?.platforms ?? []).map((p) => ({ v, p })));
  const totals = rows.map((r) => Object.values(r.p.vulnerabilities ?? {}).reduce((a, b) => a + b, 0));
  const max = Math.max(0, ...totals);
  return html`<p class="muted">Active findings after VEX, as <code>ironclad scan</code> counts them.</p>
<table><thead><tr><th>Variant</th><th>Platform</th><th>By severity</th><th style="width:35%"></th><th class="num">Resolved by VEX</th></tr></thead><tbody>${rows.map(
    ({
      v,
      p,
    }) => html`<tr data-testid="vuln-counts" data-variant="${v.variant}" data-platform="${p.platform}"><td>${v.variant}</td><td>${p.platform}</td>
<td>${severityCounts(p.vulnerabilities)}</td><td>${severityBar(p.vulnerabilities, max)}</td><td class="num">${p.suppressed}</td></tr>`,
  )}</tbody></table>${legend()}
${perPlatform(built, per, vulnerabilityTable)}`;
}

function perPlatform(
  built: readonly CatalogVariant[],
  per: (v: CatalogVariant) => readonly PlatformDetails[],
  render: (d: PlatformDetails) => Html,
): Html {
  if (built.length === 0) return notBuilt();
  return html`${built.flatMap((v) =>
    per(v).map(
      (d) =>
        html`<div data-testid="platform-section" data-variant="${v.variant}" data-platform="${d.platform}"><h3>${v.variant} · ${d.platform}</h3>${render(d)}</div>`,
    ),
  )}`;
}

function notBuilt(): Html {
  return html`<p class="muted">Not in the local store yet: build it with <code>ironclad build images/ID --variant all</code>.</p>`;
}

function compareSection(e: CatalogEntry, c: Comparison): Html {
  if (e.counterpart === null || c === null) {
    return html`<p class="muted">This image has no conventional counterpart to compare with.</p>`;
  }
  const cmd = `ironclad compare ${e.variants[0]?.reference ?? e.name} --to ${e.counterpart}`;
  if ('unavailable' in c) return html`<p class="muted">${c.unavailable}</p><pre>${cmd}</pre>`;
  const t = c.target;
  const b = c.baseline;
  const max = Math.max(t.compressedSize, b.compressedSize);
  const s = c.attackSurface;
  return html`<p>Against <code>${e.counterpart}</code> (${cmd}):</p>
<table data-testid="comparison"><thead><tr><th></th><th>This image</th><th>Conventional</th><th>Delta</th></tr></thead><tbody>
<tr><td>Compressed size</td><td>${formatBytes(t.compressedSize)}${sizeBar(t.compressedSize, max)}</td><td>${formatBytes(b.compressedSize)}${sizeBar(b.compressedSize, max)}</td><td class="num">${signed(c.delta.compressedSize, formatBytes)}</td></tr>
<tr><td>Packages</td><td>${t.packageCount}</td><td>${b.packageCount}</td><td class="num">${signed(c.delta.packageCount, String)}</td></tr>
<tr><td>User</td><td>${t.user}</td><td>${b.user}</td><td></td></tr>
<tr><td>Vulnerabilities</td><td>${severityCounts(t.vulnerabilities.available ? t.vulnerabilities.counts : null)}</td><td>${severityCounts(b.vulnerabilities.available ? b.vulnerabilities.counts : null)}</td><td></td></tr>
<tr><td>Shells</td><td>${s.target.shells.map((x) => x.name).join(', ') || 'none'}</td><td>${s.baseline.shells.map((x) => x.name).join(', ') || 'none'}</td><td></td></tr>
<tr><td>Package managers</td><td>${s.target.packageManagers.map((x) => x.name).join(', ') || 'none'}</td><td>${s.baseline.packageManagers.map((x) => x.name).join(', ') || 'none'}</td><td></td></tr>
<tr><td>setuid/setgid files</td><td>${s.target.setuidFiles.length}</td><td>${s.baseline.setuidFiles.length}</td><td></td></tr>
</tbody></table>`;
}

function signed(n: number, f: (x: number) => string): string {
  return n > 0 ? `+${f(n)}` : n < 0 ? `-${f(-n)}` : '0';
}

function commands(e: CatalogEntry, registry: string | undefined): Html {
  return html`${e.variants.map((v) => {
    const c = consumeCommands(v, registry);
    return html`<h3>${v.variant}</h3><pre data-testid="commands"># pull (with every signature and attestation)
${c.pull}
# verify signature, provenance, SBOM and test report
${c.verify}
# scan for known vulnerabilities, applying the attached VEX
${c.scan}</pre>`;
  })}${registry === undefined ? html`<p class="muted">REGISTRY is where the images are published (<code>ironclad serve --registry HOST/PREFIX</code> fills it in).</p>` : ''}`;
}
