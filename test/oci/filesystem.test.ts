import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import {
  buildImageConfig,
  buildManifest,
  flattenImage,
  imageSourceFrom,
  layoutBlobStore,
  MediaType,
  unpackImage,
} from '../../src/oci/index.ts';
import { dir, file, symlink, writeTestImage } from '../support/oci-image.ts';
import { scratchDir } from '../support/scratch-dir.ts';

const tmp = () => scratchDir('fs-');

async function image(layers: Parameters<typeof writeTestImage>[1]) {
  const d = tmp();
  await writeTestImage(d, layers);
  return imageSourceFrom(layoutBlobStore(d), 'latest').resolve();
}

const base = [
  dir('etc'),
  file('etc/keep', 'k'),
  file('etc/remove-me', 'r'),
  dir('opt'),
  dir('opt/app'),
  file('opt/app/old', 'o'),
  dir('var'),
  dir('var/cache'),
  file('var/cache/x', 'x'),
  dir('usr'),
  dir('usr/lib'),
  symlink('lib', 'usr/lib'),
];
const upper = [
  dir('etc'),
  file('etc/.wh.remove-me', ''),
  dir('opt/app'),
  file('opt/app/.wh..wh..opq', ''),
  file('opt/app/new', 'n'),
  file('var', 'now a file'),
  file('lib/libz.so', 'z'),
];

test('whiteouts, opaque dirs, dir→file replacement and symlinked parents are applied', async () => {
  const fs = await flattenImage(await image([base, upper]), { capture: (p) => p === 'etc/keep' });
  const paths = fs.paths();
  assert.ok(!paths.includes('etc/remove-me'));
  assert.ok(!paths.some((p) => p.includes('.wh.')));
  assert.ok(!paths.includes('opt/app/old'));
  assert.ok(paths.includes('opt/app/new'));
  assert.equal(fs.get('var')?.type, 'file');
  assert.ok(!paths.includes('var/cache/x'));
  assert.equal(fs.get('usr/lib/libz.so')?.layerIndex, 1);
  assert.equal(Buffer.from(fs.get('etc/keep')!.content!).toString(), 'k');
  assert.equal(Buffer.from(await fs.readFile('/lib/libz.so', 100)).toString(), 'z');
  assert.equal(Buffer.from(await fs.readFile('etc/keep', 100)).toString(), 'k');
});

test('unpackImage writes the final tree with modes and symlinks', async () => {
  const out = join(tmp(), 'rootfs');
  const res = await unpackImage(await image([base, upper]), out);
  assert.deepEqual(res.skipped, []);
  assert.equal(readFileSync(join(out, 'usr/lib/libz.so'), 'utf8'), 'z');
  assert.equal(readlinkSync(join(out, 'lib')), 'usr/lib');
  assert.equal(readFileSync(join(out, 'var'), 'utf8'), 'now a file');
  assert.equal(lstatSync(join(out, 'etc')).mode & 0o7777, 0o755);
  assert.equal(lstatSync(join(out, 'etc/keep')).mtimeMs, 1700000000 * 1000);
  assert.throws(() => lstatSync(join(out, 'etc/remove-me')));
});

test('unpackImage takes the filesystem flattened already (same tree), but only of the same image', async () => {
  const img = await image([base, upper]);
  const flattened = await flattenImage(img, { capture: (p) => p === 'etc/keep' });
  const out = join(tmp(), 'rootfs');
  const res = await unpackImage(img, out, { flattened });
  const again = join(tmp(), 'rootfs');
  assert.deepEqual(res, await unpackImage(img, again));
  assert.equal(execFileSync('diff', ['-r', '--no-dereference', out, again], { encoding: 'utf8' }), '');
  const other = await image([base]);
  await assert.rejects(unpackImage(other, join(tmp(), 'rootfs'), { flattened }), (err: unknown) =>
    isIroncladError(err, 'INTERNAL'),
  );
});

test('a layer path escaping the root is refused with HOSTILE_INPUT', async () => {
  const d = tmp();
  mkdirSync(join(d, 'a'));
  writeFileSync(join(d, 'x'), 'x');
  // GNU tar keeps `..` members with --absolute-names, which is how a hostile layer would look.
  execFileSync('tar', ['-C', join(d, 'a'), '--absolute-names', '-cf', join(d, 'evil.tar'), '../x']);
  const { store } = await writeTestImage(join(d, 'layout'), [[file('ok', 'ok')]]);
  const layer = await store.putBlob(readFileSync(join(d, 'evil.tar')));
  const cfg = buildImageConfig({
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
  });
  await store.putBlob(cfg.bytes);
  const m = buildManifest({ config: cfg.descriptor, layers: [{ mediaType: MediaType.OCI_LAYER_TAR, ...layer }] });
  await store.putBlob(m.bytes);
  await store.tag('evil', m.descriptor);
  const img = await imageSourceFrom(layoutBlobStore(store.dir), 'evil').resolve();
  await assert.rejects(flattenImage(img), (e: unknown) => isIroncladError(e, 'HOSTILE_INPUT'));
});
