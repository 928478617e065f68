import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageTest } from '../../src/definition/tests-schema.ts';

test('a command test keeps its fields and gets kind command', () => {
  const t = imageTest.parse({ name: 'hello', run: ['echo', 'hi'], stdout: 'hi' });
  assert.deepEqual(t, { kind: 'command', name: 'hello', run: ['echo', 'hi'], exitCode: 0, stdout: 'hi', timeout: 30 });
});

test('a service test: port, defaults, and http, tcp and exec probes', () => {
  const t = imageTest.parse({
    name: 'serves',
    service: { port: 8080, 'ready-timeout': 60 },
    probes: [
      { http: { path: '/index.html', headers: { 'Content-Type': '^text/html' }, 'body-regex': 'nginx' } },
      { tcp: { port: 6379, send: 'PING\r\n', expect: '^\\+PONG' } },
      { exec: { run: ['redis-cli', 'ping'], variant: 'dev', stdout: 'PONG' } },
    ],
  });
  assert.equal(t.kind, 'service');
  if (t.kind !== 'service') return;
  assert.deepEqual(t.service, { port: 8080, environment: {}, readyTimeout: 60, stopTimeout: 10, exitCode: 0 });
  assert.deepEqual(
    t.probes.map((p) => p.kind),
    ['http', 'tcp', 'exec'],
  );
  assert.deepEqual(t.probes[0], {
    kind: 'http',
    path: '/index.html',
    status: 200,
    headers: { 'Content-Type': '^text/html' },
    bodyRegex: 'nginx',
  });
});

test('a service test may wait for a ready path, a request path as a probe has', () => {
  const t = imageTest.parse({
    name: 'serves',
    service: { port: 9090, 'ready-path': '/-/ready' },
    probes: [{ tcp: {} }],
  });
  assert.ok(t.kind === 'service');
  assert.equal(t.service.readyPath, '/-/ready');
  const bad = imageTest.safeParse({
    name: 'serves',
    service: { port: 9090, 'ready-path': 'ready' },
    probes: [{ tcp: {} }],
  });
  assert.ok(!bad.success);
  assert.deepEqual(bad.error.issues[0]?.path, ['service', 'ready-path']);
});

test('an http probe may wait longer than the default for its answer', () => {
  const t = imageTest.parse({ name: 'serves', service: { port: 8080 }, probes: [{ http: { timeout: 120 } }] });
  assert.ok(t.kind === 'service');
  assert.deepEqual(t.probes[0], { kind: 'http', path: '/', status: 200, headers: {}, timeout: 120 });
});

test('malformed tests are refused', () => {
  const bad: unknown[] = [
    { name: 'x', service: { port: 0 }, probes: [{ tcp: {} }] },
    { name: 'x', service: { port: 80 }, probes: [] },
    { name: 'x', service: { port: 80 }, probes: [{ http: {}, tcp: {} }] },
    { name: 'x', service: { port: 80 }, probes: [{ smtp: {} }] },
    { name: 'x', service: { port: 80 }, probes: [{ http: { 'body-regex': '(' } }] },
    { name: 'x', service: { port: 80 }, probes: [{ http: { timeout: 0 } }] },
    { name: 'x', run: ['a'], service: { port: 80 }, probes: [{ tcp: {} }] },
    { name: 'x', run: ['a'], stdout: 'a', 'stdout-regex': 'a' },
  ];
  for (const b of bad) assert.equal(imageTest.safeParse(b).success, false, JSON.stringify(b));
});
