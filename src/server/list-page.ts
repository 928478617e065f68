import type { CatalogEntry } from '../catalog/index.ts';
import { formatBytes } from '../core/index.ts';
import { legend, severityBar, severityCounts, sizeBar } from './bars.ts';
import { type Html, html, page } from './html.ts';
import { imagePath, type SiteModel, summaryPlatform } from './site-model.ts';

/** The list's filters, from the query string (serve) or empty (the static site filters with its script). */
export interface ListQuery {
  readonly q: string;
  readonly distro: string;
  /** Hide images past their end of life. */
  readonly eol: boolean;
}

export const NO_FILTER: ListQuery = { q: '', distro: '', eol: false };

/** The text a row is searched by: id, name, description, tags and distro, lowercase. */
function searchText(e: CatalogEntry): string {
  return [e.id, e.name, e.description, e.distro, ...e.variants.flatMap((v) => v.tags)].join(' ').toLowerCase();
}

function matches(e: CatalogEntry, q: ListQuery): boolean {
  const text = q.q.trim().toLowerCase();
  return (
    (text === '' || searchText(e).includes(text)) &&
    (q.distro === '' || e.distro === q.distro) &&
    !(q.eol && e.pastEndOfLife)
  );
}

/** The catalog's front page: a searchable, filterable table of every image, rows hidden server-side by `query`. */
export function renderListPage(model: SiteModel, query: ListQuery): string {
  const entries = model.catalog.images;
  const runtime = (e: CatalogEntry) => e.variants[0];
  const maxSize = Math.max(0, ...entries.map((e) => summaryOf(model, e)?.compressedSize ?? 0));
  const maxVulns = Math.max(0, ...entries.map((e) => total(summaryOf(model, e)?.vulnerabilities)));
  const distros = [...new Set(entries.map((e) => e.distro))].sort();
  const shown = entries.filter((e) => matches(e, query)).length;
  const rows = entries.map((e) => {
    const v = runtime(e);
    const s = summaryOf(model, e);
    return html`<tr data-search="${searchText(e)}" data-distro="${e.distro}" data-eol="${e.pastEndOfLife ? 'past' : 'ok'}" data-testid="image-row" data-id="${e.id}"${matches(e, query) ? '' : html` hidden`}>
<td><a href="${imagePath(e)}"><strong>${e.id}</strong></a><br><span class="muted">${e.description}</span></td>
<td>${v?.tags.map((t) => html`<code>${t}</code> `)}</td>
<td>${e.variants.map((x) => x.variant).join(', ')}</td>
<td>${e.distro}</td>
<td>${(v?.image?.platforms ?? []).map((p) => p.platform).join(', ') || html`<span class="muted">not built</span>`}</td>
<td class="num">${s === undefined ? '-' : html`${formatBytes(s.compressedSize)}${sizeBar(s.compressedSize, maxSize)}`}</td>
<td class="num" data-testid="packages">${s?.packages ?? '-'}</td>
<td data-testid="vulnerabilities">${s === undefined ? '-' : html`${severityCounts(s.vulnerabilities)}${severityBar(s.vulnerabilities, maxVulns)}`}</td>
<td>${v?.image?.lastPatched ?? '-'}</td>
<td>${eolBadge(e)}</td>
<td>${v?.image === null || v === undefined ? '-' : html`${badge(v.image.signed, 'signed', 'unsigned')}${testBadge(v.image.tested)}`}</td>
</tr>`;
  });
  const body = html`<h1>Image catalog</h1>
<p class="lead">${entries.length} images. Sizes, packages and vulnerabilities are for the runtime variant on ${model.platform} (or its first platform); vulnerabilities are counted after VEX${model.catalog.vulnerabilityData === null ? ' (no vulnerability database)' : `, data as of ${model.catalog.vulnerabilityData}`}.</p>
<form class="filters" id="filters" method="get" action="index.html" role="search">
<input type="search" name="q" value="${query.q}" placeholder="Search images, tags, descriptions" aria-label="Search" data-testid="search">
<select name="distro" aria-label="Distribution"><option value="">all distributions</option>${distros.map(
    (d) => html`<option value="${d}"${d === query.distro ? html` selected` : ''}>${d}</option>`,
  )}</select>
<label><input type="checkbox" name="eol" value="1"${query.eol ? html` checked` : ''}> hide end-of-life</label>
<button type="submit">Filter</button>
<span class="muted"><span id="shown" data-testid="shown">${shown}</span> shown</span>
</form>
<table class="list"><thead><tr><th>Image</th><th>Tags</th><th>Variants</th><th>Distro</th><th>Platforms</th><th class="num">Size</th><th class="num">Packages</th><th>Vulnerabilities</th><th>Last patched</th><th>End of life</th><th>Trust</th></tr></thead>
<tbody>${rows}</tbody></table>
${legend()}
<p class="muted">Machine-readable: <a href="catalog.json">catalog.json</a> (schema <code>${model.catalog.schema}</code>).</p>`;
  return page('Ironclad image catalog', '', body, { script: true });
}

function summaryOf(model: SiteModel, e: CatalogEntry) {
  const v = e.variants[0];
  return v === undefined ? undefined : summaryPlatform(v, model.platform);
}

function total(c: Readonly<Record<string, number>> | null | undefined): number {
  return c == null ? 0 : Object.values(c).reduce((a, b) => a + b, 0);
}

export function eolBadge(e: CatalogEntry): Html {
  if (e.endOfLife === null) return html`<span class="muted">unknown</span>`;
  return e.pastEndOfLife
    ? html`<span class="badge b-warn" data-testid="eol-past">past: ${e.endOfLife}</span>`
    : html`${e.endOfLife}`;
}

export function badge(ok: boolean, yes: string, no: string): Html {
  return html`<span class="badge ${ok ? 'b-ok' : 'b-muted'}">${ok ? yes : no}</span>`;
}

export function testBadge(tested: string): Html {
  const cls = tested === 'passed' ? 'b-ok' : tested === 'failed' ? 'b-warn' : 'b-muted';
  return html`<span class="badge ${cls}">tests ${tested.replace('-', ' ')}</span>`;
}
