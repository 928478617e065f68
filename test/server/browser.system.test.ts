import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { runCli } from '../../src/cli/main.ts';
import { type CatalogFixture, createCatalogFixture } from '../support/catalog-fixture.ts';
import { captureIO } from '../support/cli-io.ts';

// The web catalog in a real headless Chromium (Debian's chromium package, installed by scripts/setup.sh), against
// `ironclad serve` started as its own process on 127.0.0.1, and the `catalog export` output opened from disk.
const ROOT = resolve(import.meta.dirname, '../..');
const ARTIFACTS = join(ROOT, 'out', 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let fx: CatalogFixture;
let serve: ChildProcess;
let url: string;
let browser: Browser;
let work: string;

before(async () => {
  fx = await createCatalogFixture();
  work = await mkdtemp(join(tmpdir(), 'ironclad-browser-'));
  await mkdir(ARTIFACTS, { recursive: true });
  serve = spawn(
    process.execPath,
    [join(ROOT, 'bin/ironclad.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--images', fx.imagesDir],
    { env: { ...process.env, IRONCLAD_HOME: fx.home }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  url = await new Promise<string>((ok, fail) => {
    let text = '';
    serve.stdout?.on('data', (b: Buffer) => {
      text += b.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
      if (m?.[1]) ok(m[1]);
    });
    serve.once('exit', (code) => fail(new Error(`serve exited ${code}: ${text}`)));
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  serve?.kill('SIGTERM');
  await rm(work, { recursive: true, force: true });
  await fx.close();
});

/** A page that records console errors and uncaught exceptions (CSP violations are console errors). */
async function openPage(opts: { javaScriptEnabled?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ javaScriptEnabled: opts.javaScriptEnabled ?? true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

const cli = async (args: string[]) => {
  const io = captureIO(fx.imagesDir, { IRONCLAD_HOME: fx.home });
  assert.equal(await runCli(args, io), 0, io.err.join('\n'));
  return io.out.join('\n');
};

/** `{critical: 0, high: 1, ...}` from `ironclad scan`'s summary line. */
function scanCounts(out: string): Record<string, number> {
  const m = /^(\d+)C (\d+)H (\d+)M (\d+)L (\d+)N (\d+)\?/m.exec(out);
  assert.ok(m, out);
  const [, c, h, md, l, n, u] = m.map(Number);
  return { critical: c!, high: h!, medium: md!, low: l!, negligible: n!, unknown: u! };
}

async function pageCounts(page: Page, variant: string, platform: string): Promise<Record<string, number>> {
  const row = page.locator(`[data-testid=vuln-counts][data-variant="${variant}"][data-platform="${platform}"]`);
  const out: Record<string, number> = {};
  for (const s of ['critical', 'high', 'medium', 'low', 'negligible', 'unknown']) {
    out[s] = Number.parseInt(await row.locator(`[data-severity=${s}]`).innerText(), 10);
  }
  return out;
}

/** Every relative link of the page answers 200. */
async function checkLinks(page: Page): Promise<number> {
  const hrefs = await page
    .locator('a[href]')
    .evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
  const local = [...new Set(hrefs.filter((h) => h.startsWith(url)).map((h) => h.split('#')[0]!))];
  for (const h of local) assert.equal((await page.request.get(h)).status(), 200, h);
  return local.length;
}

test('the list shows every built image, search filters, and links work', async () => {
  const { page, errors } = await openPage();
  await page.goto(url);
  const rows = page.locator('[data-testid=image-row]');
  assert.deepEqual(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-id'))), ['def', 'two']);
  await page.screenshot({ path: join(ARTIFACTS, 'catalog-list.png'), fullPage: true });
  await page.fill('[data-testid=search]', 'library');
  assert.equal(await page.locator('[data-testid=image-row]:visible').count(), 1);
  assert.equal(await page.locator('[data-testid=shown]').innerText(), '1');
  await page.fill('[data-testid=search]', '');
  assert.equal(await page.locator('[data-testid=image-row]:visible').count(), 2);
  await page.check('input[name=eol]');
  assert.deepEqual(
    await page.locator('[data-testid=image-row]:visible').evaluateAll((r) => r.map((x) => x.getAttribute('data-id'))),
    ['two'],
  );
  assert.ok((await checkLinks(page)) >= 3);
  assert.deepEqual(errors, []);
});

test('without JavaScript the list reads, and the form filters on the server', async () => {
  const { page, errors } = await openPage({ javaScriptEnabled: false });
  await page.goto(url);
  assert.equal(await page.locator('[data-testid=image-row]:visible').count(), 2);
  await page.fill('[data-testid=search]', 'library');
  await page.click('button[type=submit]');
  await page.waitForURL(/q=library/);
  assert.equal(await page.locator('[data-testid=image-row]:visible').count(), 1);
  assert.deepEqual(errors, []);
});

test('an image page shows the counts of ironclad scan and the package count of ironclad sbom', async () => {
  const { page, errors } = await openPage();
  await page.goto(url);
  await page.click('a[href="images/def.html"]');
  assert.equal(await page.locator('[data-testid=image-title]').innerText(), 'def');
  for (const [variant, ref] of [
    ['runtime', 'fixture:1.0'],
    ['dev', 'fixture:1.0-dev'],
  ] as const) {
    assert.deepEqual(await pageCounts(page, variant, 'linux/amd64'), scanCounts(await cli(['scan', ref])));
    const sbom = /: (\d+) packages/.exec(await cli(['sbom', ref, '--format', 'table']))?.[1];
    const section = page.locator(`#packages ~ [data-testid=platform-section][data-variant="${variant}"]`);
    assert.equal(await section.locator('[data-testid=package-count]').first().innerText(), `${sbom} packages`);
  }
  const findings = page.locator('#vulnerabilities ~ [data-testid=platform-section][data-variant=runtime]').first();
  assert.match(await findings.innerText(), /CVE-2025-0001/);
  assert.equal(await page.locator('[data-testid=history]').innerText(), 'no history recorded');
  await page.screenshot({ path: join(ARTIFACTS, 'catalog-image.png'), fullPage: true });
  assert.ok((await checkLinks(page)) >= 2);
  assert.deepEqual(errors, []);
});

test('catalog export opens from disk with the same content', async () => {
  const site = join(work, 'site');
  await cli(['catalog', 'export', site, '--images', fx.imagesDir]);
  const { page, errors } = await openPage();
  await page.goto(url);
  const served = await page.locator('main').innerText();
  await page.goto(pathToFileURL(join(site, 'index.html')).href);
  assert.equal(await page.locator('main').innerText(), served);
  await page.click('a[href="images/def.html"]');
  assert.match(page.url(), /^file:.*\/images\/def\.html$/);
  const fromDisk = await pageCounts(page, 'runtime', 'linux/amd64');
  assert.deepEqual(fromDisk, scanCounts(await cli(['scan', 'fixture:1.0'])));
  await page.click('text=← all images');
  assert.match(page.url(), /^file:.*\/index\.html$/);
  assert.deepEqual(errors, []);
});
