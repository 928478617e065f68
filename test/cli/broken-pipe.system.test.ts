import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startCli } from '../support/cli-process.ts';

// A real CLI process whose reader has already gone (`ironclad build --help | head` after head exited): the
// write fails with EPIPE, and the process must end quietly with its own exit status, never with an unhandled
// 'error' event and a stack trace.

let home: string;
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'ironclad-epipe-'));
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

for (const args of [['--help'], ['build', '--help'], ['scan', '--help'], ['compare', '--help']]) {
  test(`ironclad ${args.join(' ')} into a closed stdout exits 0 without a trace`, async () => {
    const { status, signal, stderr } = await startCli(args, { IRONCLAD_HOME: home }, ['stdout']).exited;
    assert.equal(signal, null);
    assert.equal(status, 0);
    assert.equal(stderr, '');
  });
}

test('an error written into a closed stderr keeps its exit status and prints nothing else', async () => {
  const { status, signal, stdout } = await startCli(['scan', '--format', 'nope', 'x.json'], { IRONCLAD_HOME: home }, [
    'stderr',
  ]).exited;
  assert.equal(signal, null);
  assert.equal(status, 2, 'a usage error stays a usage error when nobody reads it');
  assert.equal(stdout, '');
});
