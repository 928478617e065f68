import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { Home, isIroncladError, type StageContext } from '../../src/core/index.ts';
import { cachedBytes, cachedFile, cachePath, downloadToCache, storeBytes } from '../../src/debian/archive-cache.ts';

const BODY = Buffer.from('hello cache\n');
const expect = { sha256: createHash('sha256').update(BODY).digest('hex'), size: BODY.length };
let ctx: StageContext;
let url: string;
const server = createServer((req, res) => {
  if (req.url === '/good') res.end(BODY);
  else if (req.url === '/bigger') res.end(Buffer.concat([BODY, BODY]));
  else if (req.url === '/other') res.end(Buffer.from('hello cachE\n'));
  else res.writeHead(404).end();
});

before(async () => {
  ctx = createContext({ home: await mkdtemp(join(tmpdir(), 'ironclad-cache-')) });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.close();
  await rm(ctx.home.root, { recursive: true, force: true });
});

test('entries are content-addressed under cache/sha256', () => {
  assert.equal(
    cachePath(new Home('/h'), expect.sha256),
    join('/h', 'cache', 'sha256', expect.sha256.slice(0, 2), expect.sha256),
  );
  assert.throws(
    () => cachePath(new Home('/h'), '../x'),
    (e: unknown) => isIroncladError(e, 'INTERNAL'),
  );
});

test('downloads after a 404 fallback, verifies, and reads back', async () => {
  const path = await downloadToCache([`${url}/missing`, `${url}/good`], ctx.home, expect, ctx, 'test file');
  assert.deepEqual(await readFile(path), BODY);
  assert.equal(await cachedFile(ctx.home, expect), path);
  assert.deepEqual(await cachedBytes(ctx.home, expect), BODY);
});

test('wrong or oversized content is DIGEST_MISMATCH and leaves nothing behind', async () => {
  const home = await mkdtemp(join(tmpdir(), 'ironclad-cache-'));
  try {
    for (const p of ['/other', '/bigger']) {
      await assert.rejects(downloadToCache([`${url}${p}`], new Home(home), expect, ctx, 'test file'), (e: unknown) =>
        isIroncladError(e, 'DIGEST_MISMATCH'),
      );
    }
    assert.deepEqual(await readdir(join(home, 'cache', 'sha256', expect.sha256.slice(0, 2))), []);
    await assert.rejects(downloadToCache([`${url}/missing`], new Home(home), expect, ctx, 'test file'), (e: unknown) =>
      isIroncladError(e, 'NOT_SERVED'),
    );
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

test('a corrupt entry reads as a miss and is removed', async () => {
  const path = await storeBytes(ctx.home, expect, BODY);
  await writeFile(path, 'tampered!!!\n');
  assert.equal(await cachedBytes(ctx.home, expect), undefined);
  assert.equal(await cachedFile(ctx.home, expect), undefined);
  await writeFile(path, 'short');
  assert.equal(await cachedFile(ctx.home, expect), undefined);
  await assert.rejects(readFile(path));
});
