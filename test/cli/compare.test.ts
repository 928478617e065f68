import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CliIO } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { silentLogger } from '../../src/core/index.ts';
import { writeFixtureDb, writeFixtureImages } from '../compare/fixture-images.ts';

let work: string;
let layout: string;
let out: string[] = [];
let err: string[] = [];

/** Captured IO; `home` picks a home with or without a vulnerability database. */
const io = (home: 'with-db' | 'no-db'): CliIO => ({
  stdout: (t) => out.push(t),
  stderr: (t) => err.push(t),
  log: silentLogger,
  env: { IRONCLAD_HOME: join(work, home) },
  cwd: work,
  isTTY: false,
});

async function run(args: string[], home: 'with-db' | 'no-db' = 'no-db'): Promise<number> {
  out = [];
  err = [];
  return runCli(['compare', ...args], io(home));
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'cli-compare-'));
  layout = await writeFixtureImages(work);
  await writeFixtureDb(work, join(work, 'with-db'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

const ref = (tag: string) => `oci:${layout}:${tag}`;

test('compare prints the text report and exits 0 without --exit-on', async () => {
  assert.equal(await run([ref('new'), '--to', ref('old')]), 0);
  const text = out.join('\n');
  assert.match(text, /^## Overview$/m);
  assert.match(text, /^## Packages and vulnerabilities$/m);
  assert.match(text, /no vulnerability database/);
});

test('--exit-on package exits 1 when packages differ and 0 when they are equal', async () => {
  assert.equal(await run([ref('new'), '--to', ref('old'), '--exit-on', 'package']), 1);
  assert.match(err.join('\n'), /package\(s\) differ/);
  assert.equal(await run([ref('new'), '--to', ref('new'), '--exit-on', 'package']), 0);
});

test('--exit-on vulnerability needs a database, and exits 1 when the target has more', async () => {
  assert.equal(await run([ref('new'), '--to', ref('old'), '--exit-on', 'vulnerability']), 2);
  assert.equal(await run([ref('new'), '--to', ref('old'), '--exit-on', 'vulnerability'], 'with-db'), 1);
  assert.equal(await run([ref('old'), '--to', ref('new'), '--exit-on', 'vulnerability'], 'with-db'), 1, 'low +1');
  assert.equal(await run([ref('new'), '--to', ref('new'), '--exit-on', 'vulnerability'], 'with-db'), 0);
});

test('--format json with --ignore-unchanged', async () => {
  assert.equal(await run([ref('new'), '--to', ref('old'), '--format', 'json', '--ignore-unchanged'], 'with-db'), 0);
  const doc = JSON.parse(out.join('\n')) as { schema: string; packages: { change: string }[] };
  assert.equal(doc.schema, 'https://ironclad.dev/schemas/compare/v1');
  assert.equal(doc.packages.length, 6);
  assert.ok(doc.packages.every((p) => p.change !== 'unchanged'));
});

test('--format markdown renders tables', async () => {
  assert.equal(await run([ref('new'), '--to', ref('old'), '--format', 'markdown']), 0);
  assert.match(out.join('\n'), /^\| --- \| --- \| --- \|$/m);
});

test('usage errors: unknown format, unknown --exit-on condition, missing --to, bad platform', async () => {
  assert.equal(await run([ref('new'), '--to', ref('old'), '--format', 'yaml']), 2);
  assert.equal(await run([ref('new'), '--to', ref('old'), '--exit-on', 'policy']), 2);
  assert.equal(await run([ref('new')]), 2);
  assert.equal(await run([ref('new'), '--to', ref('old'), '--platform', 'amd64']), 2);
});

test('a missing image is reported with exit status 2', async () => {
  assert.equal(await run([ref('nope'), '--to', ref('old')]), 2);
});

test('--help lists the examples', async () => {
  await run(['--help']);
  assert.match(out.join('\n'), /ironclad compare python:3\.11 --to python-conventional:3\.11-conventional/);
});
