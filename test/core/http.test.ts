import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { httpDownloadFile, httpGetBytes, isIroncladError, redact } from '../../src/core/index.ts';

const hits = new Map<string, number>();
const server = createServer((req, res) => {
  const path = req.url ?? '/';
  const n = (hits.get(path) ?? 0) + 1;
  hits.set(path, n);
  if (path === '/ok') return void res.end('hello');
  if (path === '/flaky') return void (n <= 2 ? res.writeHead(503).end() : res.end('finally'));
  if (path === '/busy') return void res.writeHead(429, { 'retry-after': '0' }).end();
  if (path === '/forbidden') return void res.writeHead(403).end();
  if (path === '/big') return void res.end(Buffer.alloc(2048));
  if (path === '/stall') return void res.writeHead(200, { 'content-length': '10' }).write('12345');
  res.writeHead(404).end();
});
let base: string;
const ctx = createContext({ home: '/nonexistent' });
const fast = { attempts: 4, baseDelayMs: 1 };
const network = (retryable?: boolean) => (err: unknown) =>
  isIroncladError(err, 'NETWORK') && (retryable === undefined || err.retryable === retryable);

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

test('gets bytes, and retries 5xx until it succeeds', async () => {
  assert.equal(Buffer.from((await httpGetBytes(`${base}/ok`, ctx, fast))!).toString(), 'hello');
  assert.equal(Buffer.from((await httpGetBytes(`${base}/flaky`, ctx, fast))!).toString(), 'finally');
  assert.equal(hits.get('/flaky'), 3);
});

test('gives up after the retry budget with a retryable NETWORK error', async () => {
  await assert.rejects(httpGetBytes(`${base}/busy`, ctx, { attempts: 3, baseDelayMs: 1 }), network(true));
  assert.equal(hits.get('/busy'), 3);
});

test('client errors fail at once; 404 can be allowed', async () => {
  await assert.rejects(httpGetBytes(`${base}/forbidden`, ctx, fast), network(false));
  assert.equal(hits.get('/forbidden'), 1);
  await assert.rejects(httpGetBytes(`${base}/missing`, ctx, fast), network(false));
  assert.equal(await httpGetBytes(`${base}/missing`, ctx, { ...fast, allowNotFound: true }), undefined);
});

test('enforces the byte limit and the idle timeout', async () => {
  await assert.rejects(httpGetBytes(`${base}/big`, ctx, { ...fast, maxBytes: 1024 }), network(false));
  await assert.rejects(
    httpGetBytes(`${base}/stall`, ctx, { attempts: 2, baseDelayMs: 1, idleTimeoutMs: 100 }),
    network(true),
  );
  assert.equal(hits.get('/stall'), 2);
});

test('connection failures are retryable NETWORK errors', async () => {
  await assert.rejects(httpGetBytes('http://127.0.0.1:1/x', ctx, { attempts: 1 }), network(true));
});

test('downloads to a file with its digest; removes the file on failure', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ironclad-http-'));
  try {
    const got = await httpDownloadFile(`${base}/ok`, join(dir, 'f'), ctx, fast);
    assert.deepEqual(got, { sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824', size: 5 });
    assert.equal(await readFile(join(dir, 'f'), 'utf8'), 'hello');
    await assert.rejects(
      httpDownloadFile(`${base}/big`, join(dir, 'g'), ctx, { ...fast, maxBytes: 10 }),
      network(false),
    );
    await assert.rejects(stat(join(dir, 'g')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('redact drops credentials and query strings', () => {
  assert.equal(redact('https://user:pw@host.example/a/b?token=secret'), 'https://host.example/a/b');
  assert.equal(redact('not a url'), '<invalid url>');
});
