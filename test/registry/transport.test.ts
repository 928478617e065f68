import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { IroncladError } from '../../src/core/index.ts';
import { backoffDelay, withRetry, withTimeouts, withUserAgent } from '../../src/registry/transport.ts';

const policy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 4 };

test('backoff grows exponentially within [cap/2, cap] and honours Retry-After', () => {
  const p = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(backoffDelay(1, p, 0), 50);
  assert.equal(backoffDelay(1, p, 1), 100);
  assert.equal(backoffDelay(3, p, 1), 400);
  assert.equal(backoffDelay(10, p, 1), 1000);
  assert.equal(backoffDelay(1, p, 0.5, 2), 2000);
});

test('withRetry retries only retryable IroncladErrors, up to the attempt limit', async () => {
  let calls = 0;
  const ok = await withRetry(async () => {
    calls++;
    if (calls < 3) throw new IroncladError('REGISTRY_UNAVAILABLE', 'busy', { retryable: true });
    return 'done';
  }, policy);
  assert.equal(ok, 'done');
  assert.equal(calls, 3);

  calls = 0;
  await assert.rejects(
    withRetry(async () => {
      calls++;
      throw new IroncladError('REGISTRY_UNAVAILABLE', 'busy', { retryable: true });
    }, policy),
    (e: IroncladError) => e.code === 'REGISTRY_UNAVAILABLE',
  );
  assert.equal(calls, 3);

  calls = 0;
  await assert.rejects(
    withRetry(async () => {
      calls++;
      throw new IroncladError('REGISTRY_DENIED', 'no');
    }, policy),
    (e: IroncladError) => e.code === 'REGISTRY_DENIED',
  );
  assert.equal(calls, 1);
});

test('withTimeouts aborts a body that goes silent, and withUserAgent sets the header', async () => {
  let agent = '';
  const server = createServer((req, res) => {
    agent = req.headers['user-agent'] ?? '';
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first');
    // …and never finishes.
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  try {
    const f = withTimeouts(withUserAgent(fetch, 'ironclad-test'), { requestMs: 5000, idleMs: 100 });
    const res = await f(`http://127.0.0.1:${port}/`);
    assert.equal(agent, 'ironclad-test');
    await assert.rejects(res.text(), (e: Error) => e.name === 'TimeoutError');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
