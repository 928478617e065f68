import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { collectCatalog } from '../../src/catalog/index.ts';
import { createContext } from '../../src/core/context.ts';
import { isIroncladError } from '../../src/core/index.ts';
import { exportSite } from '../../src/server/export.ts';
import { esc, html } from '../../src/server/html.ts';
import { type RunningServer, startServer } from '../../src/server/serve.ts';
import { siteModel } from '../../src/server/site.ts';
import type { SiteModel } from '../../src/server/site-model.ts';
import { type CatalogFixture, createCatalogFixture } from '../support/catalog-fixture.ts';

let fx: CatalogFixture;
let model: SiteModel;
let server: RunningServer;
let out: string;
before(async () => {
  fx = await createCatalogFixture();
  const ctx = createContext({ home: fx.home });
  model = siteModel(await collectCatalog({ imagesDir: fx.imagesDir }, ctx), { platform: 'linux/amd64' }, ctx);
  server = await startServer(model, { host: '127.0.0.1', port: 0, log: ctx.log });
  out = await mkdtemp(join(tmpdir(), 'ironclad-site-'));
});
after(async () => {
  await server.close();
  await rm(out, { recursive: true, force: true });
  await fx.close();
});

test('html escapes every interpolated value', () => {
  assert.equal(esc(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(html`<td>${'<b>'}</td>${['<i>', html`<br>`]}`.text, '<td>&lt;b&gt;</td>&lt;i&gt;<br>');
});

test('the list and image pages are served with a strict CSP, outside data escaped', async () => {
  const list = await fetch(server.url);
  assert.equal(list.status, 200);
  assert.match(list.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  const body = await list.text();
  assert.match(body, /href="images\/def\.html"/);
  assert.match(body, /&lt;b&gt;escaped&lt;\/b&gt;/);
  const page = await (await fetch(new URL('images/def.html', server.url))).text();
  assert.ok(!page.includes('<script>alert(1)</script>'));
  assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(page, /overflow in &lt;fixlib&gt; &amp; friends/);
  assert.match(page, /no history recorded/);
  assert.match(page, /https:\/\/ironclad\.dev\/build\/v1/);
  const filtered = await (await fetch(new URL('?q=nothing-matches', server.url))).text();
  assert.match(filtered, /data-testid="shown">0</);
  const json = (await (await fetch(new URL('catalog.json', server.url))).json()) as { images: { id: string }[] };
  assert.equal(json.images[0]?.id, 'def');
});

test('unknown paths are 404 and other methods 405', async () => {
  assert.equal((await fetch(new URL('images/../../etc/passwd', server.url))).status, 404);
  assert.equal((await fetch(new URL('images/nope.html', server.url))).status, 404);
  assert.equal((await fetch(server.url, { method: 'POST' })).status, 405);
});

test('export writes the same pages with relative links, and refuses a directory it did not write', async () => {
  const site = join(out, 'site');
  await exportSite(model, site);
  assert.deepEqual((await readdir(site)).sort(), ['catalog.json', 'images', 'index.html']);
  const served = await (await fetch(new URL('images/def.html', server.url))).text();
  assert.equal(await readFile(join(site, 'images', 'def.html'), 'utf8'), served);
  await exportSite(model, site); // over an earlier export: replaced
  await writeFile(join(out, 'keep.txt'), 'x');
  await assert.rejects(exportSite(model, out), (e) => isIroncladError(e) && e.code === 'USAGE');
  assert.equal(await readFile(join(out, 'keep.txt'), 'utf8'), 'x');
});
