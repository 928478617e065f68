import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import {
  DEFAULT_NETWORK_POLICY,
  IroncladError,
  isIroncladError,
  isRetryableResponse,
  networkPolicyFromEnv,
  parseRetryAfter,
  withRetry,
  withTimeouts,
  withUserAgent,
} from '../../src/core/index.ts';
import { retryDelay } from '../../src/core/retry.ts';

const policy = { ...DEFAULT_NETWORK_POLICY, attempts: 3, baseDelayMs: 1, maxDelayMs: 4 };
const busy = () => new IroncladError('REGISTRY_UNAVAILABLE', 'busy', { retryable: true });

test('retryable is decided from one fixed list: 408, 429, 5xx and the spec codes', () => {
  for (const s of [408, 429, 500, 502, 503, 504, 599]) assert.equal(isRetryableResponse(s), true, String(s));
  for (const s of [400, 401, 403, 404, 409, 413]) assert.equal(isRetryableResponse(s), false, String(s));
  assert.equal(isRetryableResponse(400, ['TOOMANYREQUESTS']), true);
  assert.equal(isRetryableResponse(403, ['UNAVAILABLE']), true);
  assert.equal(isRetryableResponse(400, ['DENIED']), false);
});

test('backoff grows exponentially within [cap/2, cap]; Retry-After is honoured up to the cap', () => {
  const p = { ...DEFAULT_NETWORK_POLICY, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 30_000 };
  assert.equal(retryDelay(1, p, 0), 50);
  assert.equal(retryDelay(1, p, 1), 100);
  assert.equal(retryDelay(3, p, 1), 400);
  assert.equal(retryDelay(10, p, 1), 1000);
  assert.equal(retryDelay(1, p, 0.5, 2), 2000);
  assert.equal(retryDelay(1, p, 0.5, 999_999), 30_000);
});

test('Retry-After: seconds or an HTTP date', () => {
  assert.equal(parseRetryAfter('1', 0), 1);
  assert.equal(parseRetryAfter('999999', 0), 999_999);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 0), 10);
  assert.equal(parseRetryAfter('soon', 0), undefined);
  assert.equal(parseRetryAfter(null, 0), undefined);
});

test('withRetry retries only retryable IroncladErrors, up to the attempt limit', async () => {
  let calls = 0;
  const what = 'op';
  const ok = await withRetry(
    async () => {
      calls++;
      if (calls < 3) throw busy();
      return 'done';
    },
    policy,
    { what },
  );
  assert.equal(ok, 'done');
  assert.equal(calls, 3);

  calls = 0;
  const failing = async () => {
    calls++;
    throw busy();
  };
  await assert.rejects(withRetry(failing, policy, { what }), (e: IroncladError) => e.code === 'REGISTRY_UNAVAILABLE');
  assert.equal(calls, 3);

  calls = 0;
  const denied = async () => {
    calls++;
    throw new IroncladError('REGISTRY_DENIED', 'no');
  };
  await assert.rejects(withRetry(denied, policy, { what }), (e: IroncladError) => e.code === 'REGISTRY_DENIED');
  assert.equal(calls, 1);
});

test('a wait that would pass the deadline is not taken: NETWORK at once', async () => {
  let calls = 0;
  const huge = async () => {
    calls++;
    throw new IroncladError('NETWORK', 'HTTP 503', { retryable: true, retryAfter: 999_999 });
  };
  const tight = { ...policy, attempts: 10, maxRetryAfterMs: 60_000, deadlineMs: 2_000 };
  await assert.rejects(withRetry(huge, tight, { what: 'GET x' }), (e: unknown) => {
    assert.ok(isIroncladError(e, 'NETWORK'));
    assert.match(e.message, /GET x: gave up at the network deadline of 2 s; last error: HTTP 503/);
    return true;
  });
  assert.equal(calls, 1);
});

test('the deadline aborts a try in flight', async () => {
  // The deadline timer does not hold the process open (what it bounds does); this stands in for a socket.
  const keepAlive = setInterval(() => {}, 1000);
  const hang = (_: number, signal: AbortSignal) =>
    new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  try {
    await assert.rejects(withRetry(hang, { ...policy, deadlineMs: 50 }, { what: 'GET y' }), (e: unknown) =>
      isIroncladError(e, 'NETWORK'),
    );
  } finally {
    clearInterval(keepAlive);
  }
});

test('the environment sets the deadline and the timeout, in seconds; nonsense is a usage error', () => {
  const p = networkPolicyFromEnv({ IRONCLAD_NETWORK_DEADLINE: '5', IRONCLAD_NETWORK_TIMEOUT: '0.5' });
  assert.equal(p.deadlineMs, 5000);
  assert.equal(p.idleTimeoutMs, 500);
  assert.equal(p.requestTimeoutMs, 500);
  assert.deepEqual(networkPolicyFromEnv({}), DEFAULT_NETWORK_POLICY);
  assert.throws(
    () => networkPolicyFromEnv({ IRONCLAD_NETWORK_DEADLINE: 'soon' }),
    (e: unknown) => isIroncladError(e, 'USAGE'),
  );
});

test('withTimeouts turns a silent body into a retryable NETWORK error; withUserAgent sets the header', async () => {
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
    const f = withTimeouts(withUserAgent(fetch, 'ironclad-test'), { requestTimeoutMs: 5000, idleTimeoutMs: 100 });
    const res = await f(`http://127.0.0.1:${port}/x?token=secret`);
    assert.equal(agent, 'ironclad-test');
    await assert.rejects(res.text(), (e: unknown) => {
      assert.ok(isIroncladError(e, 'NETWORK'));
      assert.equal(e.retryable, true);
      assert.doesNotMatch(e.message, /secret/);
      assert.match(e.message, /no data for/);
      return true;
    });
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('withTimeouts turns a dropped connection mid-body into a retryable NETWORK error', async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  try {
    const f = withTimeouts(fetch, { requestTimeoutMs: 5000, idleTimeoutMs: 5000 });
    const res = await f(`http://127.0.0.1:${port}/`);
    await assert.rejects(res.arrayBuffer(), (e: unknown) => isIroncladError(e, 'NETWORK') && e.retryable);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
