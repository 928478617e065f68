import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { buildIndex, digestOf, imageSourceFrom, layoutBlobStore } from '../../src/oci/index.ts';
import { file, writeTestImage } from '../support/oci-image.ts';
import { scratchDir } from '../support/scratch-dir.ts';

test('an index resolves per platform; unknown platforms are NOT_FOUND; digest refs are verified', async () => {
  const d = scratchDir('src-');
  const { store, manifest } = await writeTestImage(d, [[file('a', 'a')]], 'amd');
  const index = buildIndex({
    manifests: [
      { ...manifest, platform: { os: 'linux', architecture: 'amd64' } },
      { ...manifest, platform: { os: 'unknown', architecture: 'unknown' } },
    ],
  });
  await store.putBlob(index.bytes);
  await store.tag('multi', index.descriptor);
  const source = imageSourceFrom(layoutBlobStore(d), 'multi', { platform: { os: 'linux', architecture: 'arm64' } });
  assert.equal((await source.top()).desc.digest, index.descriptor.digest);
  assert.deepEqual(await source.platforms(), [{ os: 'linux', architecture: 'amd64' }]);
  // The preferred platform is missing, but only one image exists: it is used.
  assert.equal((await source.resolve()).digest, manifest.digest);
  assert.equal((await source.resolve({ os: 'linux', architecture: 'amd64' })).digest, manifest.digest);
  await assert.rejects(source.resolve({ os: 'linux', architecture: 's390x' }), (e: unknown) =>
    isIroncladError(e, 'NOT_FOUND'),
  );
  const byDigest = imageSourceFrom(layoutBlobStore(d), manifest.digest);
  assert.equal((await byDigest.resolve()).digest, manifest.digest);
  const wrong = imageSourceFrom(
    {
      ...layoutBlobStore(d),
      readManifest: async () => ({ bytes: index.bytes, mediaType: index.descriptor.mediaType }),
    },
    manifest.digest,
  );
  await assert.rejects(wrong.top(), (e: unknown) => isIroncladError(e, 'DIGEST_MISMATCH'));
  assert.notEqual(digestOf(index.bytes), manifest.digest);
});
