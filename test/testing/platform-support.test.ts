import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { platformSupport } from '../../src/testing/platform-support.ts';

const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64' };

test('native, emulated through binfmt_misc, or unsupported with a reason', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'binfmt-'));
  try {
    assert.deepEqual(await platformSupport(amd64, amd64, dir), { kind: 'native' });
    assert.deepEqual(await platformSupport({ ...arm64, variant: 'v8' }, arm64, dir), { kind: 'native' });
    assert.equal((await platformSupport(arm64, amd64, dir)).kind, 'unsupported');
    await writeFile(join(dir, 'qemu-aarch64'), 'enabled\ninterpreter /usr/bin/qemu-aarch64-static\nflags: F\n');
    assert.deepEqual(await platformSupport(arm64, amd64, dir), { kind: 'emulated', handler: 'qemu-aarch64' });
    await writeFile(join(dir, 'qemu-s390x'), 'disabled\n');
    assert.equal((await platformSupport({ os: 'linux', architecture: 's390x' }, amd64, dir)).kind, 'unsupported');
    assert.equal((await platformSupport({ os: 'windows', architecture: 'amd64' }, amd64, dir)).kind, 'unsupported');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
