import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveTarget, selectPlatforms } from '../../src/attest/target.ts';
import { isIroncladError } from '../../src/core/index.ts';
import { parseImageRef } from '../../src/oci/ref.ts';
import { openEndpoint } from '../../src/oci/transports.ts';
import { buildTestImage, type TestImage } from '../support/registry-image.ts';

let dir: string;
let image: TestImage;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ironclad-target-'));
  image = await buildTestImage(join(dir, 'img'), 'target', 'v1');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = (text: string) => openEndpoint(parseImageRef(text), { cwd: dir });

test('a layout image resolves to its index and platform manifests, with the repository name', async () => {
  const t = await resolveTarget(open('oci:img:v1'), 'oci:img:v1');
  assert.equal(t.target.top.digest, image.index.descriptor.digest);
  assert.deepEqual(
    t.target.platforms.map((m) => m.platform?.architecture),
    ['amd64', 'arm64'],
  );
  assert.deepEqual(
    selectPlatforms(t.target, 'linux/arm64').map((m) => m.platform?.architecture),
    ['arm64'],
  );
  assert.equal(selectPlatforms(t.target, undefined), t.target.platforms);
  assert.throws(
    () => selectPlatforms(t.target, 'linux/s390x'),
    (e) => isIroncladError(e, 'USAGE'),
  );
});

test('a docker-archive cannot hold signatures: USAGE before anything is read', async () => {
  await assert.rejects(resolveTarget(open('docker-archive:missing.tar'), 'docker-archive:missing.tar'), (e) =>
    isIroncladError(e, 'USAGE'),
  );
});
