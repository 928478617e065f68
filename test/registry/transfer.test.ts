import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext, isIroncladError } from '../../src/core/index.ts';
import { LayoutStore } from '../../src/oci/layout.ts';
import { parseImageRef } from '../../src/oci/ref.ts';
import { openEndpoint } from '../../src/oci/transports.ts';
import type { ImageRef } from '../../src/oci/types.ts';
import { transferImage } from '../../src/registry/transfer.ts';
import { buildTestImage, type TestImage } from '../support/registry-image.ts';

let dir: string;
let image: TestImage;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ironclad-transfer-'));
  image = await buildTestImage(join(dir, 'src'), 'transfer', 'v1');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ctx = () => createContext({ home: join(dir, 'home') });
const open = (ref: ImageRef) => openEndpoint(ref, { home: ctx().home, cwd: dir });
const all = { allPlatforms: true, referrers: false };

test('a copy takes the destination’s tag, else the source’s; the local store names an untagged copy by digest', async () => {
  const tagged = await transferImage(parseImageRef('oci:src:v1'), parseImageRef('oci:out:v2'), all, open, ctx());
  assert.equal(tagged.destination, 'oci:out:v2');
  assert.equal(tagged.report.descriptor.digest, image.index.descriptor.digest);
  const out = await LayoutStore.open(join(dir, 'out'));
  // A multi-platform image in an OCI layout also gets TAG-ARCH per platform (oci/platform-tags.ts).
  assert.deepEqual(
    (await out.listTags()).map((t) => t.name),
    ['v2', 'v2-amd64', 'v2-arm64'],
  );

  const keeps = await transferImage(parseImageRef('oci:src:v1'), parseImageRef('python'), all, open, ctx());
  assert.equal(keeps.destination, 'python:v1');

  const digestOnly = parseImageRef(`python@${image.index.descriptor.digest}`);
  const byDigest = await transferImage(digestOnly, parseImageRef('copy'), all, open, ctx());
  assert.equal(byDigest.destination, `copy@${image.index.descriptor.digest}`);
});

test('a digest or a docker-archive as the destination is refused with USAGE before anything is copied', async () => {
  const digest = image.index.descriptor.digest;
  for (const text of [`docker://127.0.0.1:1/r@${digest}`, `python@${digest}`, 'docker-archive:x.tar']) {
    await assert.rejects(
      transferImage(parseImageRef('oci:src:v1'), parseImageRef(text), all, open, ctx()),
      (e) => isIroncladError(e, 'USAGE'),
      text,
    );
  }
});
