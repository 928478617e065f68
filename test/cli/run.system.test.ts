import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { captureIO as recordIO } from '../support/cli-io.ts';
import { writeRunnableImage } from '../support/runnable-image.ts';

let home: string;

function captureIO() {
  return recordIO(home, { IRONCLAD_HOME: home });
}

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'cli-run-'));
  await writeRunnableImage(join(home, 'store'), { tag: 'tiny:1', index: true });
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

test('ironclad run streams the output of the image and exits 0', async () => {
  const io = captureIO();
  assert.equal(await runCli(['run', 'tiny:1'], io), 0);
  assert.equal(io.out.join(''), 'hello\n');
});

test('arguments after -- replace Cmd; --entrypoint, --user and --env apply; the exit status is the container one', async () => {
  let io = captureIO();
  assert.equal(await runCli(['run', 'tiny:1', '--', 'a', 'b'], io), 0);
  assert.equal(io.out.join(''), 'a b\n');
  io = captureIO();
  assert.equal(await runCli(['run', '--entrypoint', 'id', '--user', '1000:1000', 'tiny:1', '--', '-u'], io), 0);
  assert.equal(io.out.join('').trim(), '1000');
  io = captureIO();
  const env = [
    'run',
    '--env',
    'FOO=bar',
    '--env',
    'X=1',
    '--entrypoint',
    '/usr/bin/cat',
    'tiny:1',
    '--',
    '/proc/self/environ',
  ];
  assert.equal(await runCli(env, io), 0);
  assert.ok(io.out.join('').split('\0').includes('FOO=bar'));
  io = captureIO();
  assert.equal(await runCli(['run', '--entrypoint', '/usr/bin/cat', 'tiny:1', '--', '/nope'], io), 1);
  assert.match(io.err.join(''), /nope/);
});

test('usage errors and missing images exit 2', async () => {
  assert.equal(await runCli(['run', '--timeout', '-1', 'tiny:1'], captureIO()), 2);
  assert.equal(await runCli(['run', '--platform', 'bogus', 'tiny:1'], captureIO()), 2);
  assert.equal(await runCli(['run', 'absent:1'], captureIO()), 2);
});
