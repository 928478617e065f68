import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CliIO } from '../../src/cli/io.ts';
import { readPassword } from '../../src/cli/password.ts';
import { isIroncladError, silentLogger } from '../../src/core/index.ts';

const io = (env: NodeJS.ProcessEnv): CliIO => ({
  stdout() {},
  stderr() {},
  log: silentLogger,
  env,
  cwd: '/',
  isTTY: false,
});
const opts = { confirm: true, purpose: 'the key' };

test('IRONCLAD_PASSWORD wins, even when empty', async () => {
  assert.equal(await readPassword(io({ IRONCLAD_PASSWORD: 's3cret' }), opts, undefined), 's3cret');
  assert.equal(await readPassword(io({ IRONCLAD_PASSWORD: '' }), opts, undefined), '');
});

test('prompts twice and compares when confirming', async () => {
  const answers = ['a', 'a', 'a', 'b'];
  const prompt = async () => answers.shift() ?? '';
  assert.equal(await readPassword(io({}), opts, prompt), 'a');
  await assert.rejects(readPassword(io({}), opts, prompt), (e) => isIroncladError(e, 'USAGE'));
});

test('without a variable or a terminal it is a usage error', async () => {
  await assert.rejects(readPassword(io({}), opts, undefined), (e) => isIroncladError(e, 'USAGE'));
});
