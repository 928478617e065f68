import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { Home, isIroncladError } from '../../src/core/index.ts';
import { flattenImage, openImageSource, parseImageRef } from '../../src/oci/index.ts';
import { dir, file, writeTestImage } from '../support/oci-image.ts';
import { scratchDir } from '../support/scratch-dir.ts';

test('a docker-archive written by skopeo reads back with the same diff_ids and files', async () => {
  const d = scratchDir('darch-');
  const { diffIds } = await writeTestImage(join(d, 'oci'), [[dir('etc'), file('etc/motd', 'hi\n')], [file('b', 'b')]]);
  const archive = join(d, 'img.tar');
  execFileSync('skopeo', ['copy', '-q', `oci:${join(d, 'oci')}:latest`, `docker-archive:${archive}:example/app:1`]);
  const source = openImageSource(parseImageRef(`docker-archive:${archive}`), { home: new Home(d) });
  const image = await source.resolve();
  const config = await image.config();
  assert.deepEqual(config.rootfs.diff_ids, diffIds);
  // docker-archive layers are uncompressed, so each layer digest is its diff_id.
  assert.deepEqual(
    image.layers().map((l) => l.desc.digest),
    diffIds,
  );
  const fs = await flattenImage(image);
  assert.equal(Buffer.from(await fs.readFile('etc/motd', 100)).toString(), 'hi\n');
  assert.equal((await source.platforms())[0]?.architecture, 'amd64');
});

test('a missing archive is NOT_FOUND on first use', async () => {
  const source = openImageSource(parseImageRef('docker-archive:/nonexistent/x.tar'), {
    home: new Home('/nonexistent'),
  });
  await assert.rejects(source.resolve(), (e: unknown) => isIroncladError(e, 'NOT_FOUND'));
});
