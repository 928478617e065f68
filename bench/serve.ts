/**
 * Web catalog benchmark: 100 concurrent page requests against `serve` over a catalog of 30 images.
 *   node --import tsx bench/serve.ts
 * The 30 images are made cheaply: one fixture image is built and signed over the generated fixture archive, and
 * 30 definitions are tagged to it in the store, so the catalog stage reads 30 real store entries. The reference,
 * in the same run, is node:http sending a static file read from disk per request (the exported list page).
 * Prints p50 and p95 latency of each (target: serve p95 < 100 ms) and their ratio.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { collectCatalog } from '../src/catalog/index.ts';
import { createContext } from '../src/core/context.ts';
import { Home } from '../src/core/index.ts';
import { LayoutStore, storeTagName } from '../src/oci/index.ts';
import { exportSite, siteModel } from '../src/server/index.ts';
import { createCatalogFixture } from '../test/support/catalog-fixture.ts';

const ROOT = resolve(import.meta.dirname, '..');
const IMAGES = 30;
const CONCURRENCY = 100;
const ROUNDS = 5;

/** node:http sending the file named by argv[1], read from disk per request; prints its URL. */
const REFERENCE_SERVER = `
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
const file = process.argv[1];
const server = createServer((req, res) => {
  readFile(file).then((b) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(b), () => res.writeHead(500).end());
});
server.listen(0, '127.0.0.1', () => console.log('serving at http://127.0.0.1:' + server.address().port + '/'));
process.on('SIGTERM', () => process.exit(0));
`;

/** Keep-alive connections, one per concurrent request, so a burst does not pay for connecting. */
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** Server processes started here, stopped at the end whatever happens. */
const children: ChildProcess[] = [];
const fx = await createCatalogFixture();
try {
  const store = await LayoutStore.open(new Home(fx.home).store);
  const index = await store.resolveTag(storeTagName('fixture', '1.0'));
  if (index === undefined) throw new Error('fixture image missing');
  const imagesDir = join(fx.image.dir, 'bench-images');
  for (let i = 1; i <= IMAGES; i++) {
    const id = `bench-${String(i).padStart(2, '0')}`;
    await mkdir(join(imagesDir, id), { recursive: true });
    await writeFile(
      join(imagesDir, id, 'image.yaml'),
      `name: ${id}\ndescription: Benchmark image ${i}\ndistro: fixture\nplatforms: [linux/amd64]\ntags: ["1.0"]\npackages: [fixtool]\n` +
        `catalog:\n  overview: Benchmark image ${i}.\n  end-of-life: "2099-01-01"\n`,
    );
    await store.tag(storeTagName(id, '1.0'), index);
  }
  const ctx = createContext({ home: fx.home });
  const t0 = performance.now();
  const collected = await collectCatalog({ imagesDir }, ctx);
  console.log(
    `catalog of ${collected.catalog.images.length} images collected in ${(performance.now() - t0).toFixed(0)} ms`,
  );
  const model = siteModel(collected, { platform: 'linux/amd64' }, ctx);
  const site = join(fx.image.dir, 'site');
  await exportSite(model, site);

  // Each server runs in its own process, as in use; this process only sends requests and times them.
  const served = await spawnServer([join(ROOT, 'bin/ironclad.js'), 'serve', '--port', '0', '--images', imagesDir], {
    ...process.env,
    IRONCLAD_HOME: fx.home,
  });
  const reference = await spawnServer(
    ['--input-type=module', '-e', REFERENCE_SERVER, join(site, 'index.html')],
    process.env,
  );

  const pages = ['', ...collected.catalog.images.map((e) => `images/${e.id}.html`)];
  const catalogResult = await measure((i) => new URL(pages[i % pages.length] ?? '', served.url).href);
  const referenceResult = await measure(() => reference.url);
  console.log(
    `pages: the list and ${pages.length - 1} image pages, ${CONCURRENCY} concurrent requests x ${ROUNDS} rounds`,
  );
  console.log(
    `serve      p50 ${catalogResult.p50.toFixed(1)} ms  p95 ${catalogResult.p95.toFixed(1)} ms (target < 100 ms)`,
  );
  console.log(
    `reference  p50 ${referenceResult.p50.toFixed(1)} ms  p95 ${referenceResult.p95.toFixed(1)} ms (static file, node:http)`,
  );
  console.log(`p95 ratio serve/reference: ${(catalogResult.p95 / referenceResult.p95).toFixed(2)}`);
} finally {
  for (const c of children) c.kill('SIGTERM');
  agent.destroy();
  await fx.close();
}

/** Starts a server process and waits for the URL it prints. */
async function spawnServer(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const url = await new Promise<string>((ok, fail) => {
    let text = '';
    child.stdout?.on('data', (b: Buffer) => {
      text += b.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
      if (m?.[1]) ok(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`server exited ${code}: ${text}`)));
  });
  return { child, url };
}

/** GET with node:http (lighter than fetch, so the client disturbs the timing less); resolves to the status. */
function get(url: string): Promise<number> {
  return new Promise((ok, fail) => {
    request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
    })
      .on('error', fail)
      .end();
  });
}

/** Latencies of ROUNDS bursts of CONCURRENCY simultaneous GETs (the first burst warms the page cache). */
async function measure(urlFor: (i: number) => string): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, i) => {
        const start = performance.now();
        const status = await get(urlFor(i));
        if (status !== 200) throw new Error(`${urlFor(i)}: ${status}`);
        times.push(performance.now() - start);
      }),
    );
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95) };
}
