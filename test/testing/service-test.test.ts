import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageTest, type ServiceTest } from '../../src/definition/tests-schema.ts';
import { serverDeadlineSeconds } from '../../src/testing/service-test.ts';

function serviceTest(raw: Record<string, unknown>): ServiceTest {
  const t = imageTest.parse({ name: 'serves', ...raw });
  assert.ok(t.kind === 'service');
  return t;
}

test("the server's deadline sums ready-timeout, each probe's own limit, stop-timeout and a 30 s margin", () => {
  const t = serviceTest({
    service: { port: 8080, 'ready-timeout': 60, 'stop-timeout': 20 },
    probes: [{ http: {} }, { tcp: {} }, { exec: { run: ['client'], timeout: 45 } }],
  });
  // http and tcp without a timeout of their own: 10 s each.
  assert.equal(serverDeadlineSeconds(t), 60 + 10 + 10 + 45 + 20 + 30);
});

test("an http probe's own timeout counts in full, so the kill never cuts a slow first answer short", () => {
  const t = serviceTest({ service: { port: 8080 }, probes: [{ http: { timeout: 120 } }, { http: { timeout: 2 } }] });
  assert.equal(serverDeadlineSeconds(t), 30 + 120 + 2 + 10 + 30);
});
