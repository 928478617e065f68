import { createHash } from 'node:crypto';

/**
 * Safe HTML building: every interpolated value is escaped unless it is already {@link Html} built by this module.
 * Image names, descriptions, CVE summaries and VEX statements are outside data, so nothing reaches a page
 * without passing through here.
 */

/** HTML text that is already safe to emit. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and quoted attribute values. */
export function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function emit(p: Part): string {
  if (p === null || p === undefined || p === false) return '';
  if (p instanceof Html) return p.text;
  if (Array.isArray(p)) return p.map(emit).join('');
  return esc(String(p));
}

/** Tagged template: `html\`<td>${name}</td>\`` escapes `name`; arrays are joined; null, undefined and false vanish. */
export function html(strings: TemplateStringsArray, ...values: readonly Part[]): Html {
  let out = strings[0] ?? '';
  for (const [i, v] of values.entries()) out += emit(v) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** An href that is safe to emit: only https URLs and relative paths of ours. */
export function safeHref(url: string): string {
  return /^https:\/\/[^\s<>"']+$/.test(url) || /^[A-Za-z0-9._/#?=&%-]+$/.test(url) ? url : '#';
}

/** Live filtering of the list as one types; the page reads and filters (by form submit) without it. */
export const FILTER_SCRIPT = `(() => {
  const form = document.getElementById('filters');
  if (!form) return;
  const rows = [...document.querySelectorAll('[data-search]')];
  const count = document.getElementById('shown');
  const apply = () => {
    const q = form.q.value.trim().toLowerCase();
    const distro = form.distro.value;
    const eol = form.eol.checked;
    let shown = 0;
    for (const r of rows) {
      const ok = (q === '' || r.dataset.search.includes(q)) && (distro === '' || r.dataset.distro === distro) &&
        (!eol || r.dataset.eol !== 'past');
      r.hidden = !ok;
      if (ok) shown++;
    }
    if (count) count.textContent = String(shown);
  };
  form.addEventListener('input', apply);
  form.addEventListener('submit', (e) => { e.preventDefault(); apply(); });
  apply();
})();`;

/** CSP source for the one inline script: its hash, so no other script can run. */
export const FILTER_SCRIPT_HASH = `'sha256-${createHash('sha256').update(FILTER_SCRIPT).digest('base64')}'`;

/** The Content-Security-Policy of every page: inline CSS, the filter script by hash, nothing from elsewhere. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src ${FILTER_SCRIPT_HASH}`,
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
].join('; ');

/** Sent as a header by serve; `frame-ancestors` only works there (browsers ignore it in a <meta> element). */
export const CONTENT_SECURITY_POLICY_HEADER = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;

const CSS = `
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#f6f7f9;--card:#fff;--accent:#1f5fbf;
--crit:#8e1b1b;--high:#d1432f;--med:#e89a2c;--low:#e6c84a;--neg:#9aa5b1;--unk:#c3c8d0;--ok:#2d7d46}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header.top{background:#14213d;color:#fff;padding:.8rem 1.5rem;display:flex;gap:1rem;align-items:baseline}
header.top a{color:#fff;text-decoration:none;font-weight:600;font-size:1.1rem}header.top span{color:#c9d3e6;font-size:.9rem}
main{max-width:1200px;margin:0 auto;padding:1rem 1.5rem 3rem}
h1{font-size:1.6rem;margin:.6rem 0 .2rem}h2{font-size:1.15rem;margin:1.8rem 0 .6rem;border-bottom:1px solid var(--line);padding-bottom:.3rem}
h3{font-size:1rem;margin:1rem 0 .4rem}
a{color:var(--accent)}p.lead{color:var(--muted);margin:.2rem 0 1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem 1.2rem;margin:.8rem 0}
table{border-collapse:collapse;width:100%;background:var(--card);font-size:.9rem}
th,td{text-align:left;padding:.35rem .55rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef1f5;font-weight:600;white-space:nowrap}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}code{background:#eef1f5;padding:0 .25rem;border-radius:3px}
pre{background:#14213d;color:#e8edf6;padding:.7rem 1rem;border-radius:6px;overflow-x:auto}
.badge{display:inline-block;white-space:nowrap;padding:.05rem .5rem;border-radius:999px;font-size:.78rem;font-weight:600;margin-right:.3rem;border:1px solid transparent}
.b-ok{background:#e3f3e8;color:var(--ok);border-color:#b9e0c5}.b-warn{background:#fdecea;color:var(--crit);border-color:#f4c2bc}
.b-muted{background:#eef1f5;color:var(--muted);border-color:var(--line)}
.bar{display:flex;height:14px;border-radius:3px;overflow:hidden;background:#eef1f5;min-width:120px}
.bar span{display:block;height:100%}.sizebar{height:10px;background:var(--accent);border-radius:3px}
.s-critical{background:var(--crit)}.s-high{background:var(--high)}.s-medium{background:var(--med)}.s-low{background:var(--low)}
.s-negligible{background:var(--neg)}.s-unknown{background:var(--unk)}
.sev{font-weight:600;white-space:nowrap}.counts{white-space:nowrap}.sev-critical{color:var(--crit)}.sev-high{color:var(--high)}.sev-medium{color:#a86a0b}
form.filters{display:flex;gap:.8rem;flex-wrap:wrap;align-items:center;margin:.5rem 0 1rem}
form.filters input[type=search]{flex:1;min-width:220px;padding:.45rem .6rem;border:1px solid var(--line);border-radius:6px;font:inherit}
form.filters select,form.filters button{padding:.4rem .6rem;border:1px solid var(--line);border-radius:6px;font:inherit;background:#fff}
table.list td:first-child{min-width:15rem}.muted{color:var(--muted)}.legend span{display:inline-block;width:10px;height:10px;margin:0 .2rem 0 .6rem;border-radius:2px}
details>summary{cursor:pointer;color:var(--accent);margin:.4rem 0}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
dt{color:var(--muted)}dd{margin:0}ul{margin:.3rem 0;padding-left:1.3rem}nav.toc a{margin-right:.8rem;font-size:.9rem}
`;

/** A whole page: doctype, CSP, inline CSS, header with a link home (`root` is the relative path to the site root). */
export function page(title: string, root: string, body: Html, opts: { readonly script?: boolean } = {}): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<link rel="icon" href="data:,">
<title>${title}</title>
<style>${new Html(CSS)}</style></head>
<body><header class="top"><a href="${root}index.html">Ironclad catalog</a><span>hardened images from verified Debian packages</span></header>
<main>${body}</main>
${opts.script ? html`<script>${new Html(FILTER_SCRIPT)}</script>` : ''}
</body></html>
`.text;
}
