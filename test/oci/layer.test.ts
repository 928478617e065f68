import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { digestOf, MediaType, tarBytes, writeLayer } from '../../src/oci/index.ts';
import { dir, file } from '../support/oci-image.ts';
import { scratchDir } from '../support/scratch-dir.ts';

const entries = [dir('etc'), file('etc/os-release', 'ID=debian\n'), file('etc/hostname', 'x\n')];

test('gzip layers are byte-identical across runs, with a pinned gzip header', async () => {
  const a = await writeLayer(entries, { compression: 'gzip' });
  const b = await writeLayer([...entries].reverse(), { compression: 'gzip' });
  assert.deepEqual(Buffer.from(a.bytes!), Buffer.from(b.bytes!));
  const h = Buffer.from(a.bytes!);
  assert.deepEqual([h[0], h[1], h[4], h[5], h[6], h[7], h[9]], [0x1f, 0x8b, 0, 0, 0, 0, 3]);
  assert.equal(a.descriptor.mediaType, MediaType.OCI_LAYER_GZIP);
  assert.equal(a.descriptor.digest, digestOf(a.bytes!));
  assert.equal(a.descriptor.size, a.bytes!.length);
  assert.equal(a.diffId, digestOf(gunzipSync(a.bytes!)));
  assert.equal(a.diffId, digestOf(tarBytes(entries)));
});

test('uncompressed layers and file output', async () => {
  const out = join(scratchDir('layer-'), 'blob');
  const l = await writeLayer(entries, { compression: 'none', file: out });
  assert.equal(l.path, out);
  assert.equal(l.descriptor.mediaType, MediaType.OCI_LAYER_TAR);
  assert.equal(l.diffId, l.descriptor.digest);
  assert.equal(`sha256:${createHash('sha256').update(readFileSync(out)).digest('hex')}`, l.descriptor.digest);
});
