import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseDiagnostics,
  readLimitedText,
  redactUrl,
  responseError,
  transportError,
} from '../../src/registry/errors.ts';

const what = { action: 'pushing blob', url: 'https://r.example/v2/a/blobs/uploads/x?_state=SECRET&digest=sha256:1' };

function res(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : body, { status, headers });
}

test('maps statuses and spec error codes to error codes and retryability', async () => {
  const table: [number, string, string, boolean][] = [
    [401, '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', 'REGISTRY_DENIED', false],
    [403, '', 'REGISTRY_DENIED', false],
    [404, '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}', 'NOT_FOUND', false],
    [400, '{"errors":[{"code":"DIGEST_INVALID","message":"digest did not match"}]}', 'DIGEST_MISMATCH', false],
    [400, '{"errors":[{"code":"MANIFEST_INVALID"}]}', 'INVALID_INPUT', false],
    [408, '', 'REGISTRY_UNAVAILABLE', true],
    [429, '{"errors":[{"code":"TOOMANYREQUESTS"}]}', 'REGISTRY_UNAVAILABLE', true],
    [500, 'oops', 'REGISTRY_UNAVAILABLE', true],
    [503, '', 'REGISTRY_UNAVAILABLE', true],
    [403, '{"errors":[{"code":"TOOMANYREQUESTS"}]}', 'REGISTRY_DENIED', true],
  ];
  for (const [status, body, code, retryable] of table) {
    const err = await responseError(res(status, body), what);
    assert.equal(err.code, code, `${status} ${body}`);
    assert.equal(err.retryable, retryable, `${status} ${body}`);
  }
});

test('error messages never carry the query string', async () => {
  const err = await responseError(res(500, ''), what);
  assert.ok(!err.message.includes('SECRET'));
  assert.equal(redactUrl('https://u:p@h.example/v2/x?token=1'), 'https://h.example/v2/x');
  const t = transportError(new TypeError('fetch failed'), what);
  assert.equal(t.code, 'REGISTRY_UNAVAILABLE');
  assert.equal(t.retryable, true);
  assert.ok(!t.message.includes('SECRET'));
});

test('an abort requested by the caller is not retryable', () => {
  const ctl = new AbortController();
  ctl.abort();
  assert.equal(transportError(new DOMException('aborted', 'AbortError'), what, ctl.signal).retryable, false);
  assert.equal(transportError(new DOMException('t', 'TimeoutError'), what).retryable, true);
});

test('Retry-After is carried on the error for the retry policy', async () => {
  const err = await responseError(res(429, '', { 'retry-after': '1' }), what);
  assert.equal(err.retryAfter, 1);
});

test('error bodies are read up to 64 KiB and malformed ones are tolerated', async () => {
  const huge = 'x'.repeat(1024 * 1024);
  assert.equal((await readLimitedText(res(500, huge))).length, 64 * 1024);
  assert.deepEqual(parseDiagnostics('not json'), []);
  assert.deepEqual(parseDiagnostics('{"errors":"x"}'), []);
  assert.deepEqual(parseDiagnostics('{"errors":[1,{"code":5},{"code":"DENIED","message":"no"}]}'), [
    { code: 'DENIED', message: 'no' },
  ]);
});
