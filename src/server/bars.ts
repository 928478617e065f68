import type { SeverityCounts } from '../vuln/index.ts';
import { SEVERITIES, SEVERITY_LETTERS } from '../vuln/index.ts';
import { type Html, html } from './html.ts';

/** A stacked bar of findings by severity (CSS widths, so it reads without JavaScript or images). */
export function severityBar(counts: SeverityCounts | null, scale: number): Html {
  if (counts === null) return html`<span class="muted">no database</span>`;
  const total = SEVERITIES.reduce((a, s) => a + counts[s], 0);
  const label = SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ');
  const width = scale > 0 ? Math.max(total > 0 ? 4 : 0, Math.round((total / scale) * 100)) : 0;
  return html`<div class="bar" role="img" aria-label="${label}" title="${label}">${
    total === 0
      ? ''
      : html`<div style="display:flex;width:${width}%">${SEVERITIES.filter((s) => counts[s] > 0).map(
          (s) => html`<span class="s-${s}" style="width:${((counts[s] / total) * 100).toFixed(2)}%"></span>`,
        )}</div>`
  }</div>`;
}

/** Counts as `1C 1H 0M ...` with each severity's colour, for tables. */
export function severityCounts(counts: SeverityCounts | null): Html {
  if (counts === null) return html`<span class="muted">-</span>`;
  return html`${SEVERITIES.map(
    (s) =>
      html`<span class="sev sev-${s}" data-severity="${s}" title="${s}">${counts[s]}${SEVERITY_LETTERS[s]}</span> `,
  )}`;
}

/** A size bar relative to the largest size on the page. */
export function sizeBar(bytes: number, max: number): Html {
  const pct = max > 0 ? Math.max(1, Math.round((bytes / max) * 100)) : 0;
  return html`<div class="sizebar" style="width:${pct}%" role="img" aria-label="${bytes} bytes"></div>`;
}

/** The severity legend shown under bar charts. */
export function legend(): Html {
  return html`<div class="legend muted">${SEVERITIES.map((s) => html`<span class="s-${s}"></span>${s}`)}</div>`;
}
