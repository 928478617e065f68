import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateKeyPair, loadPrivateKey, loadPublicKey, writeKeyPairFiles } from '../../src/attest/index.ts';
import { isIroncladError } from '../../src/core/index.ts';

test('writes NAME.key (0600) and NAME.pub, refuses to overwrite without force', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'keys-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const prefix = join(dir, 'signing');
  const pair = await generateKeyPair('pw');
  const paths = await writeKeyPairFiles(prefix, pair);
  assert.deepEqual(paths, { privateKey: `${prefix}.key`, publicKey: `${prefix}.pub` });
  assert.equal((await stat(paths.privateKey)).mode & 0o777, 0o600);
  await loadPrivateKey(await readFile(paths.privateKey), 'pw');
  loadPublicKey(await readFile(paths.publicKey));

  const second = await generateKeyPair('pw');
  await assert.rejects(writeKeyPairFiles(prefix, second), (e) => isIroncladError(e, 'CONFLICT'));
  assert.equal(await readFile(paths.privateKey, 'utf8'), pair.privateKeyPem, 'nothing was replaced');
  await writeKeyPairFiles(prefix, second, { force: true });
  assert.equal(await readFile(paths.privateKey, 'utf8'), second.privateKeyPem);
});

test('an existing .pub alone also blocks writing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'keys-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'k.pub'), 'x');
  await assert.rejects(writeKeyPairFiles(join(dir, 'k'), await generateKeyPair('')), (e) =>
    isIroncladError(e, 'CONFLICT'),
  );
  await assert.rejects(stat(join(dir, 'k.key')));
});
