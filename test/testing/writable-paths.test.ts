import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext, Home } from '../../src/core/index.ts';
import { hostPlatform, openImageSource, type TarEntry } from '../../src/oci/index.ts';
import { testImage } from '../../src/testing/index.ts';
import { writeRunnableImage } from '../support/runnable-image.ts';

const host = hostPlatform();
let dir: string;
let n = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'writable-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const d = (path: string, uid: number, mode: number, gid = uid): TarEntry => ({
  type: 'dir',
  path,
  mode,
  uid,
  gid,
  mtime: 1700000000,
});

async function writableOf(extra: TarEntry[], volumes: string[], labels: Record<string, string> = {}) {
  const tag = `w${n++}`;
  const layout = join(dir, 'layout');
  await writeRunnableImage(layout, {
    tag,
    index: true,
    binaries: [],
    extra,
    config: { User: '65532:65532', Volumes: Object.fromEntries(volumes.map((v) => [v, {}])), Labels: labels },
  });
  const source = openImageSource({ kind: 'oci-layout', dir: layout, tag }, { home: new Home(dir) });
  const r = await testImage(source, { host, functional: false }, createContext({ home: new Home(dir) }));
  return r.platforms[0]!.checks.find((c) => c.name === 'writable-paths')!;
}

test('a volume owned by the image user passes; a read-only data dir fails naming it', async () => {
  const ok = await writableOf([d('var', 0, 0o755), d('var/data', 65532, 0o700)], ['/var/data']);
  assert.equal(ok.status, 'passed', ok.message);
  const ro = await writableOf([d('var', 0, 0o755), d('var/data', 0, 0o755)], ['/var/data']);
  assert.equal(ro.status, 'failed');
  assert.match(ro.message, /\/var\/data is 0:0 0755/);
  const hidden = await writableOf([d('var', 0, 0o700), d('var/data', 65532, 0o700)], ['/var/data']);
  assert.match(hidden.message, /\/var is not searchable/);
  const missing = await writableOf([], ['/data']);
  assert.match(missing.message, /\/data is missing/);
  assert.equal((await writableOf([], [])).status, 'skipped');
});

test('arbitrary-uid images: a volume must also be writable by group 0, as OpenShift runs them', async () => {
  const openshift = { 'dev.ironclad.arbitrary-uid': 'true' };
  // Owned by the image user alone: fine for 65532, not for a uid OpenShift assigns (group 0, not the owner).
  const ownerOnly = [d('var', 0, 0o755), d('var/data', 65532, 0o700)];
  assert.equal((await writableOf(ownerOnly, ['/var/data'])).status, 'passed');
  const refused = await writableOf(ownerOnly, ['/var/data'], openshift);
  assert.equal(refused.status, 'failed');
  assert.match(refused.message, /\/var\/data is 65532:65532 0700 \(for 1000680000:0 \(arbitrary uid\)\)/);
  // Group 0 with the owner's rights, as the OpenShift guidelines ask: both users can write.
  const group0 = await writableOf([d('var', 0, 0o755), d('var/data', 65532, 0o770, 0)], ['/var/data'], openshift);
  assert.equal(group0.status, 'passed', group0.message);
  assert.match(group0.message, /65532:65532 and 1000680000:0 \(arbitrary uid\)/);
});
