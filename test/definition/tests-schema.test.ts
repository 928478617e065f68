import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { definitionJsonSchemaText } from '../../src/definition/json-schema.ts';
import { imageTest } from '../../src/definition/tests-schema.ts';

const ROOT = resolve(import.meta.dirname, '../..');

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

test("a service test's own timeout and exit-code are refused at their key, naming the service's keys", () => {
  const serves = { name: 'serves', service: { port: 8000 }, probes: [{ tcp: {} }] };
  const timeout = imageTest.safeParse({ ...serves, timeout: 300 });
  assert.ok(!timeout.success);
  assert.deepEqual(
    timeout.error.issues.map((i) => i.path),
    [['timeout']],
  );
  assert.match(timeout.error.issues[0]?.message ?? '', /service\.ready-timeout.*service\.stop-timeout/);
  const code = imageTest.safeParse({ ...serves, 'exit-code': 143 });
  assert.ok(!code.success);
  assert.deepEqual(
    code.error.issues.map((i) => i.path),
    [['exit-code']],
  );
  assert.match(code.error.issues[0]?.message ?? '', /service\.exit-code/);
  // Refused even when equal to a command test's default: given at all, the key would be read as meaning something.
  assert.equal(imageTest.safeParse({ ...serves, timeout: 30, 'exit-code': 0 }).success, false);
});

test("a command test's timeout and exit-code keep their defaults, 30 s and 0", () => {
  const t = imageTest.parse({ name: 'x', run: ['a'], timeout: 90, 'exit-code': 7 });
  assert.ok(t.kind === 'command');
  assert.deepEqual([t.timeout, t.exitCode], [90, 7]);
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

/** docs/definitions.md's "## Tests" section, up to the next level-2 heading. */
function testsDocs(): string {
  const text = readFileSync(join(ROOT, 'docs/definitions.md'), 'utf8');
  const start = text.indexOf('\n## Tests\n');
  assert.ok(start >= 0, 'docs/definitions.md has a "## Tests" section');
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** Every key the schema accepts in a test, its `service` and each kind of probe, from the generated JSON Schema. */
function schemaKeys(): { test: string[]; service: string[]; probes: Record<string, string[]> } {
  type Props = { properties: Record<string, Props>; items: Props };
  const schema = JSON.parse(definitionJsonSchemaText()) as { anyOf: { properties: { tests: Props } }[] };
  const item = schema.anyOf[0]?.properties.tests.items;
  assert.ok(item !== undefined);
  const probe = item.properties.probes?.items;
  assert.ok(probe !== undefined);
  return {
    test: Object.keys(item.properties),
    service: Object.keys(item.properties.service?.properties ?? {}),
    probes: Object.fromEntries(Object.entries(probe.properties).map(([k, v]) => [k, Object.keys(v.properties)])),
  };
}

test('docs/definitions.md documents every key of a command test, a service and each probe', () => {
  const docs = testsDocs();
  const rows = docs.split('\n').filter((l) => l.startsWith('|'));
  const keys = schemaKeys();
  for (const k of keys.test) assert.ok(docs.includes(`\`${k}\``), `test key ${k}`);
  for (const k of keys.service)
    assert.ok(
      rows.some((r) => r.startsWith(`| \`${k}\` |`)),
      `service key ${k}`,
    );
  assert.deepEqual(Object.keys(keys.probes).sort(), ['exec', 'http', 'tcp']);
  for (const [kind, ks] of Object.entries(keys.probes)) {
    const first = rows.findIndex((r) => r.startsWith(`| \`${kind}\` |`));
    assert.ok(first >= 0, `probe ${kind} has rows`);
    // A probe's rows are its first one and the continuation rows ("| |") after it.
    let end = first + 1;
    while (rows[end]?.startsWith('| |')) end++;
    const own = rows.slice(first, end);
    for (const k of ks)
      assert.ok(
        own.some((r) => r.includes(`\`${k}\``)),
        `${kind} probe key ${k}`,
      );
  }
});

test("the Tests section's examples are valid tests, taken from the catalog definitions they name", () => {
  // Each example follows the sentence naming the images/NAME/image.yaml it comes from.
  const examples = [...testsDocs().matchAll(/((?:(?!```)[\s\S])*)```yaml\n([\s\S]*?)```/g)];
  assert.ok(examples.length >= 4);
  for (const [, before = '', block = ''] of examples) {
    const sources = [...before.matchAll(/`images\/([a-z0-9-]+)\/image\.yaml`/g)].map((m) => m[1] ?? '');
    assert.ok(sources.length > 0, `the example ${JSON.stringify(block.slice(0, 60))} names where it comes from`);
    const real = sources.flatMap((name) => {
      const def = parse(readFileSync(join(ROOT, 'images', name, 'image.yaml'), 'utf8')) as { tests: unknown[] };
      return def.tests.map((t) => imageTest.parse(t));
    });
    const doc = parse(block.startsWith('tests:') ? block : `tests:\n${block}`) as { tests: unknown[] };
    for (const raw of doc.tests) {
      const t = imageTest.parse(raw);
      const same = real.find((r) => r.name === t.name);
      assert.ok(same !== undefined, `${t.name}: a test of ${sources.join(', ')}`);
      if (t.kind === 'command' || same.kind === 'command') {
        assert.deepEqual(t, same);
        continue;
      }
      // An example may leave probes out (abridged), never change one.
      assert.deepEqual(t.service, same.service, t.name);
      for (const p of t.probes)
        assert.ok(
          same.probes.some((r) => isDeepStrictEqual(r, p)),
          `${t.name}: ${JSON.stringify(p)}`,
        );
    }
  }
});
