import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPrivateKey, loadPublicKey } from '../../src/attest/index.ts';
import { keygenCommand } from '../../src/cli/keygen.ts';
import { runCli } from '../../src/cli/main.ts';
import { isIroncladError } from '../../src/core/index.ts';
import { captureIO } from '../support/cli-io.ts';

test('keygen writes a usable pair under the default prefix, then refuses to overwrite', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'keygen-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const io = captureIO(dir, { IRONCLAD_PASSWORD: 'from-env' });
  assert.equal(await runCli(['keygen'], io), 0);
  const key = join(dir, 'ironclad.key');
  assert.equal((await stat(key)).mode & 0o777, 0o600);
  await loadPrivateKey(await readFile(key), 'from-env');
  loadPublicKey(await readFile(join(dir, 'ironclad.pub')));
  assert.match(io.out.join('\n'), /fingerprint: \S+/);
  assert.doesNotMatch(io.out.join('\n') + io.err.join('\n'), /from-env|PRIVATE KEY/);

  assert.equal(await runCli(['keygen'], io), 2, 'CONFLICT is a usage error');
  assert.equal(await runCli(['keygen', '--force'], io), 0);
});

test('keygen --prefix names the files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'keygen-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(await runCli(['keygen', '--prefix', 'release'], captureIO(dir, { IRONCLAD_PASSWORD: '' })), 0);
  await stat(join(dir, 'release.key'));
  await stat(join(dir, 'release.pub'));
});

test('keygen --help shows examples', async () => {
  const io = captureIO(tmpdir(), {});
  assert.equal(await runCli(['keygen', '--help'], io), 0);
  assert.match(io.out.join('\n'), /Examples:[\s\S]*--prefix release/);
});

test('an existing key is refused before any password is asked', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'keygen-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(await runCli(['keygen'], captureIO(dir, { IRONCLAD_PASSWORD: 'x' })), 0);
  const prompt = async (): Promise<string> => assert.fail('must not prompt');
  await assert.rejects(keygenCommand({ prefix: 'ironclad', force: false }, captureIO(dir, {}), prompt), (e) =>
    isIroncladError(e, 'CONFLICT'),
  );
});
