import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildImages } from '../../src/image/index.ts';
import { flattenImage, imageSourceFrom, layoutBlobStore, MediaType } from '../../src/oci/index.ts';
import { createFixtureImage, type FixtureImage } from '../support/fixture-image.ts';

describe('zstd layer compression', () => {
  let fx: FixtureImage;
  before(async () => {
    fx = await createFixtureImage();
  });
  after(async () => fx.close());

  const build = (out: string, compression?: 'zstd' | 'gzip') =>
    buildImages(
      fx.loaded,
      fx.lock,
      { distroConfig: fx.archive.distro, out: join(fx.dir, out), test: false, ...(compression && { compression }) },
      fx.ctx,
    );

  test('layers are zstd frames under the OCI zstd media type, with the diffIds of the gzip build', async () => {
    const gzip = (await build('gzip')).images[0]!.platforms[0]!;
    const zstd = (await build('zstd', 'zstd')).images[0]!.platforms[0]!;
    assert.equal(gzip.compression, 'gzip');
    assert.equal(zstd.compression, 'zstd');
    assert.ok(gzip.layers.every((l) => l.layer.descriptor.mediaType === MediaType.OCI_LAYER_GZIP));
    assert.ok(zstd.layers.every((l) => l.layer.descriptor.mediaType === MediaType.OCI_LAYER_ZSTD));
    assert.deepEqual(
      zstd.layers.map((l) => l.layer.diffId),
      gzip.layers.map((l) => l.layer.diffId),
    );
    assert.deepEqual(zstd.config.rootfs.diff_ids, gzip.config.rootfs.diff_ids);
    const first = zstd.layers[0]!.layer.descriptor.digest;
    const blob = await readFile(join(fx.dir, 'zstd', 'blobs', 'sha256', first.slice('sha256:'.length)));
    assert.deepEqual([...blob.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
    // Our own reader decompresses it to the same tree.
    const source = imageSourceFrom(layoutBlobStore(join(fx.dir, 'zstd')), '1.0');
    const fs = await flattenImage(await source.resolve());
    assert.ok(fs.paths().includes('usr/bin/fixtool'));
  });

  test('a zstd build is reproducible, from the layer cache and without it', async () => {
    const a = (await build('zstd-a', 'zstd')).images[0]!.index.digest;
    const b = (await build('zstd-b', 'zstd')).images[0]!.index.digest;
    const c = await buildImages(
      fx.loaded,
      fx.lock,
      { distroConfig: fx.archive.distro, out: join(fx.dir, 'zstd-c'), test: false, compression: 'zstd', noCache: true },
      fx.ctx,
    );
    assert.equal(a, b);
    assert.equal(a, c.images[0]!.index.digest);
  });

  test('a definition saying compression: zstd builds zstd layers without the option', async () => {
    const loaded = { ...fx.loaded, definition: { ...fx.loaded.definition, compression: 'zstd' as const } };
    const r = await buildImages(
      loaded,
      fx.lock,
      { distroConfig: fx.archive.distro, out: join(fx.dir, 'by-definition'), test: false },
      fx.ctx,
    );
    assert.equal(r.images[0]!.platforms[0]!.compression, 'zstd');
  });

  test('skopeo reads and copies the zstd image; umoci 0.4.7 is tried and its verdict recorded', async () => {
    const layout = join(fx.dir, 'zstd');
    const info = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${layout}:1.0`], { encoding: 'utf8' }));
    assert.equal(info.Layers.length, 5);
    execFileSync('skopeo', ['copy', '-q', `oci:${layout}:1.0`, `oci:${join(fx.dir, 'copied')}:1.0`]);
    const copied = JSON.parse(
      execFileSync('skopeo', ['inspect', '--raw', `oci:${join(fx.dir, 'copied')}:1.0`], { encoding: 'utf8' }),
    );
    assert.ok(copied.layers.every((l: { mediaType: string }) => l.mediaType === MediaType.OCI_LAYER_ZSTD));
    const umoci = spawnSync('umoci', ['unpack', '--rootless', '--image', `${layout}:1.0`, join(fx.dir, 'bundle')], {
      encoding: 'utf8',
    });
    // umoci 0.4.7 (Debian 12) unpacks only gzip and plain layers and says so; a newer umoci must unpack it.
    if (umoci.status === 0) {
      const passwd = await readFile(join(fx.dir, 'bundle', 'rootfs', 'etc', 'passwd'), 'utf8');
      assert.match(passwd, /^nonroot:/m);
    } else {
      assert.match(umoci.stderr, /not correct mediatype: application\/vnd\.oci\.image\.layer\.v1\.tar\+zstd/);
    }
  });
});
