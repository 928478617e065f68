import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import {
  digestOf,
  imageSourceFrom,
  LayoutStore,
  layoutBlobStore,
  REF_NAME_ANNOTATION,
  readAll,
} from '../../src/oci/index.ts';
import { buildArtifactManifest, EMPTY_DESCRIPTOR, EMPTY_JSON_BYTES } from '../../src/oci/manifest-build.ts';
import { dir, file, writeTestImage } from '../support/oci-image.ts';
import { scratchDir } from '../support/scratch-dir.ts';

const tmp = () => scratchDir('layout-');
const layers = [[dir('etc'), file('etc/motd', 'hello\n')], [file('hello.txt', 'world\n')]];

test('skopeo inspects our layout, and copying it to another layout keeps the digest', async () => {
  const d = tmp();
  const { manifest, layers: descs } = await writeTestImage(join(d, 'src'), layers, 'v1');
  const info = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${join(d, 'src')}:v1`], { encoding: 'utf8' }));
  assert.equal(info.Digest, manifest.digest);
  assert.deepEqual(
    info.Layers,
    descs.map((l) => l.digest),
  );
  execFileSync('skopeo', ['copy', '-q', `oci:${join(d, 'src')}:v1`, `oci:${join(d, 'dst')}:copied`]);
  const copied = await (await LayoutStore.open(join(d, 'dst'))).resolveTag('copied');
  assert.equal(copied?.digest, manifest.digest);
});

test('umoci unpacks our layout', async () => {
  const d = tmp();
  await writeTestImage(join(d, 'img'), layers, 'v1');
  execFileSync('umoci', ['unpack', '--image', `${join(d, 'img')}:v1`, join(d, 'bundle')], { stdio: 'pipe' });
  assert.equal(readFileSync(join(d, 'bundle', 'rootfs', 'etc', 'motd'), 'utf8'), 'hello\n');
  assert.equal(readFileSync(join(d, 'bundle', 'rootfs', 'hello.txt'), 'utf8'), 'world\n');
});

test('tags: tag, move, untag, list; putBlob verifies and is idempotent', async () => {
  const store = await LayoutStore.open(tmp(), { create: true });
  const a = await store.putBlob(new TextEncoder().encode('a'));
  assert.deepEqual(await store.putBlob(new TextEncoder().encode('a')), a);
  await assert.rejects(store.putBlob(new TextEncoder().encode('b'), { digest: digestOf('c'), size: 1 }), (e: unknown) =>
    isIroncladError(e, 'DIGEST_MISMATCH'),
  );
  const desc = { mediaType: 'application/octet-stream', digest: a.digest, size: a.size };
  await Promise.all(['x', 'y', 'z', 'w'].map((t) => store.tag(t, desc)));
  assert.deepEqual((await store.listTags()).map((t) => t.name).sort(), ['w', 'x', 'y', 'z']);
  assert.equal(await store.untag('y'), true);
  assert.equal(await store.untag('y'), false);
  assert.equal((await store.readIndex()).manifests[0]?.annotations?.[REF_NAME_ANNOTATION], 'x');
});

test('a blob changed in place after it was checked is not intact, for the repeated check of a build too', async () => {
  const store = await LayoutStore.open(tmp(), { create: true });
  const { digest, size } = await store.putBlob(new TextEncoder().encode('layer bytes'));
  for (const check of [store.blobIntact.bind(store), store.blobIntactKnown.bind(store)]) {
    assert.equal(await check(digest, size), true);
    assert.equal(await check(digest, size), true);
  }
  writeFileSync(store.blobPath(digest), 'LAYER BYTES');
  assert.equal(await store.blobIntactKnown(digest, size), false);
  assert.equal(await store.blobIntact(digest, size), false);
});

test('a tampered blob fails with DIGEST_MISMATCH when read', async () => {
  const d = tmp();
  const { store, layers: descs } = await writeTestImage(d, layers);
  const victim = descs[1]!;
  const bytes = readFileSync(store.blobPath(victim.digest));
  bytes[bytes.length - 5]! ^= 0xff;
  writeFileSync(store.blobPath(victim.digest), bytes);
  const image = await imageSourceFrom(layoutBlobStore(d), 'latest').resolve();
  await readAll(await image.layers()[0]!.open(), 1 << 20, 'layer 1');
  await assert.rejects(
    async () => readAll(await image.layers()[1]!.open(), 1 << 20, 'layer 2'),
    (e: unknown) => isIroncladError(e, 'DIGEST_MISMATCH'),
  );
});

test('gc keeps referrers of live images and drops everything unreachable', async () => {
  const d = tmp();
  const { store, manifest } = await writeTestImage(d, layers, 'app');
  const other = await writeTestImage(d, [[file('other', 'x')]], 'old');
  await store.putBlob(EMPTY_JSON_BYTES, EMPTY_DESCRIPTOR);
  const sbom = await store.putBlob(new TextEncoder().encode('{"spdxVersion":"SPDX-2.3"}'));
  const sbomDesc = { mediaType: 'application/spdx+json', ...sbom };
  const ref = buildArtifactManifest({ artifactType: 'application/spdx+json', subject: manifest, blobs: [sbomDesc] });
  await store.putBlob(ref.bytes, ref.descriptor);
  await store.addManifest(ref.descriptor);
  const orphan = buildArtifactManifest({ artifactType: 'application/x-test', subject: other.manifest, blobs: [] });
  await store.putBlob(orphan.bytes, orphan.descriptor);
  await store.addManifest(orphan.descriptor);
  assert.deepEqual(
    (await store.referrers(manifest.digest)).map((r) => r.digest),
    [ref.descriptor.digest],
  );
  await store.untag('old');
  const { removed } = await store.gc();
  assert.ok(removed.includes(other.manifest.digest));
  assert.ok(removed.includes(orphan.descriptor.digest));
  for (const kept of [manifest.digest, ref.descriptor.digest, sbom.digest, EMPTY_DESCRIPTOR.digest]) {
    assert.ok(existsSync(store.blobPath(kept)), kept);
  }
  assert.deepEqual(
    (await store.readIndex()).manifests.map((m) => m.digest),
    [manifest.digest, ref.descriptor.digest],
  );
  const source = imageSourceFrom(layoutBlobStore(d), 'app');
  assert.equal((await source.referrers(manifest.digest)).length, 1);
  execFileSync('skopeo', ['inspect', `oci:${d}:app`]);
});

test('a layout blob store opened before its layout exists reads it once another writer has made it', async () => {
  const d = join(tmp(), 'later');
  const reader = layoutBlobStore(d);
  await assert.rejects(reader.readManifest('v1'), (err) => isIroncladError(err, 'NOT_FOUND'));
  const { manifest } = await writeTestImage(d, layers, 'v1');
  assert.equal(digestOf((await reader.readManifest('v1')).bytes), manifest.digest);
});
