import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSigner } from '../../src/cli/image-target.ts';
import { runCli } from '../../src/cli/main.ts';
import { silentLogger } from '../../src/core/index.ts';
import { captureIO } from '../support/cli-io.ts';

test('a private key readable by others is used, with a warning that says how to fix it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'key-mode-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const warnings: string[] = [];
  const io = {
    ...captureIO(dir, { IRONCLAD_PASSWORD: 'pw' }),
    log: { ...silentLogger, warn: (m: string) => warnings.push(m) },
  };
  assert.equal(await runCli(['keygen'], io), 0);
  const key = join(dir, 'ironclad.key');

  await loadSigner(key, io);
  assert.deepEqual(warnings, [], 'keygen writes mode 0600: no warning');

  await chmod(key, 0o644);
  const signer = await loadSigner(key, io);
  assert.ok(signer, 'the key is still used');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /readable by others \(mode 0644\).*chmod 600/);
});
