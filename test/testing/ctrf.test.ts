import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { type TestReport, toCtrf } from '../../src/testing/index.ts';

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, '../fixtures/testing/ctrf.schema.json'), 'utf8'),
) as object;

function validator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

const report: TestReport = {
  image: 'tiny:1',
  variant: 'runtime',
  imageChecks: [{ name: 'declared-platforms', status: 'passed', message: 'ok' }],
  platforms: [
    {
      platform: { os: 'linux', architecture: 'amd64' },
      digest: 'sha256:abc',
      checks: [
        { name: 'no-shell', status: 'failed', message: 'shell found: /bin/sh' },
        { name: 'size-budget', status: 'skipped', message: 'no size budget declared' },
      ],
      tests: [
        { name: 'hello', status: 'passed', message: 'exit code 0', durationMs: 12.6, exitCode: 0, stdout: 'hello\n' },
        { name: 'bad', status: 'failed', message: 'exit code 1', durationMs: 3, exitCode: 1, stderr: 'a\nb\n' },
      ],
    },
  ],
  start: 1_700_000_000_000,
  stop: 1_700_000_000_500,
};

test('a CTRF report of one image validates against the CTRF schema', () => {
  const validate = validator();
  const doc = toCtrf([report], '0.1.0');
  assert.equal(validate(doc), true, JSON.stringify(validate.errors));
  assert.deepEqual(doc.results.summary, {
    tests: 5,
    passed: 2,
    failed: 2,
    pending: 0,
    skipped: 1,
    other: 0,
    suites: 3,
    start: 1_700_000_000_000,
    stop: 1_700_000_000_500,
    duration: 500,
  });
  assert.equal(doc.timestamp, '2023-11-14T22:13:20.500Z');
  const bad = doc.results.tests.find((t) => t.name === 'bad')!;
  assert.deepEqual(bad.stderr, ['a', 'b']);
  assert.deepEqual(bad.suite, ['tiny:1', 'linux/amd64', 'tests']);
  assert.equal(doc.results.tests.find((t) => t.name === 'hello')!.duration, 13);
  assert.equal(doc.results.tests.find((t) => t.name === 'hello')!.stdout, undefined, 'output only for failures');
});

test('an empty run and several images validate too', () => {
  const validate = validator();
  assert.equal(validate(toCtrf([], '0.1.0')), true, JSON.stringify(validate.errors));
  const two = toCtrf(
    [report, { ...report, image: 'tiny:1-dev', start: 1_700_000_001_000, stop: 1_700_000_002_000 }],
    '0.1.0',
  );
  assert.equal(validate(two), true, JSON.stringify(validate.errors));
  assert.equal(two.results.summary.tests, 10);
  assert.equal(two.results.summary.stop, 1_700_000_002_000);
});

test('the schema rejects what CTRF forbids (sanity check of the vendored schema)', () => {
  const validate = validator();
  const doc = toCtrf([report], '0.1.0') as unknown as { results: { tests: { status: string }[] } };
  doc.results.tests[0]!.status = 'broken';
  assert.equal(validate(doc), false);
});
