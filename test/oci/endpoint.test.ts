import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Home, isIroncladError } from '../../src/core/index.ts';
import { cosignTag } from '../../src/oci/cosign-tags.ts';
import {
  buildIndex,
  COSIGN_SIGNATURE_SUFFIX,
  type Descriptor,
  LayoutStore,
  openEndpoint,
  PREDICATE_TYPE_ANNOTATION,
  parseImageRef,
  REF_NAME_ANNOTATION,
} from '../../src/oci/index.ts';
import { file, writeTestImage } from '../support/oci-image.ts';

const text = (s: string) => new TextEncoder().encode(s);

describe('ImageEndpoint over an OCI layout and the local store', () => {
  let work: string;
  let manifest: Descriptor;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'ironclad-endpoint-'));
    ({ manifest } = await writeTestImage(join(work, 'layout'), [[file('etc/hello', 'hi')]], 'v1'));
  });
  after(() => rm(work, { recursive: true, force: true }));

  test('reads the image through its source, verified', async () => {
    const ep = openEndpoint(parseImageRef(`oci:${join(work, 'layout')}:v1`), { home: new Home(work) });
    assert.equal((await ep.source.resolve()).digest, manifest.digest);
  });

  test('attach stores an artifact once; list and documents find it by artifact and predicate type', async () => {
    const ep = openEndpoint(parseImageRef(`oci:${join(work, 'layout')}:v1`), { home: new Home(work) });
    const artifact = {
      artifactType: 'application/vnd.example.doc+json',
      subject: manifest,
      layers: [{ mediaType: 'application/vnd.example.doc+json', bytes: text('{"doc":1}') }],
      annotations: { [PREDICATE_TYPE_ANNOTATION]: 'https://example.com/p/v1' },
    };
    const first = await ep.referrers.attach(artifact);
    const again = await ep.referrers.attach(artifact);
    assert.equal(again.digest, first.digest);
    const other = await ep.referrers.attach({
      artifactType: 'application/vnd.example.other',
      subject: manifest,
      layers: [],
    });

    assert.deepEqual(
      (await ep.referrers.list(manifest.digest)).map((d) => d.digest),
      [first.digest, other.digest],
    );
    const byType = await ep.referrers.list(manifest.digest, { artifactType: 'application/vnd.example.doc+json' });
    assert.deepEqual(
      byType.map((d) => d.digest),
      [first.digest],
    );
    const byPredicate = await ep.referrers.list(manifest.digest, { predicateType: 'https://example.com/p/v1' });
    assert.deepEqual(
      byPredicate.map((d) => d.digest),
      [first.digest],
    );
    assert.deepEqual(await ep.referrers.list(manifest.digest, { predicateType: 'https://example.com/none' }), []);

    const docs = await ep.referrers.documents(manifest.digest, 'application/vnd.example.doc+json', 1024);
    assert.equal(docs.length, 1);
    assert.equal(Buffer.from(docs[0]!.bytes).toString(), '{"doc":1}');
    // The artifact with no payload uses the OCI empty blob, which must be stored for the layout to be complete.
    const store = await LayoutStore.open(join(work, 'layout'));
    const [emptyManifest] = await ep.referrers.manifests(manifest.digest, {
      artifactType: 'application/vnd.example.other',
    });
    assert.ok(await store.hasBlob(emptyManifest!.manifest.layers[0]!.digest));
  });

  test("cosign's tags are listed after the OCI referrers, with their tag", async () => {
    const ep = openEndpoint(parseImageRef(`oci:${join(work, 'layout')}:v1`), { home: new Home(work) });
    const sig = buildIndex({ manifests: [], annotations: { note: 'stand-in' } });
    const writer = ep.requireWriter();
    const tag = cosignTag(manifest.digest, COSIGN_SIGNATURE_SUFFIX);
    await writer.putManifest(sig.descriptor, sig.bytes, { tag, root: true });
    const listed = await ep.referrers.list(manifest.digest);
    assert.equal(listed.at(-1)?.digest, sig.descriptor.digest);
    assert.equal(listed.at(-1)?.annotations?.[REF_NAME_ANNOTATION], tag);
  });

  test('the store tags NAME:TAG; a layout is created by the first write', async () => {
    const home = join(work, 'home');
    const store = openEndpoint(parseImageRef('app:1'), { home: new Home(home) });
    assert.equal(store.tagName('2'), 'app:2');
    const src = openEndpoint(parseImageRef(`oci:${join(work, 'layout')}:v1`), { home: new Home(work) });
    const writer = store.requireWriter();
    const image = await src.source.resolve();
    for (const d of [image.manifest().config, ...image.manifest().layers]) {
      await writer.putBlob(d, () => src.store.openBlob(d));
    }
    await writer.putManifest(image.descriptor, image.manifestBytes(), { root: true });
    await store.tag('1', image.descriptor);
    assert.equal((await store.source.resolve()).digest, manifest.digest);
    const tags = await (await LayoutStore.open(join(home, 'store'))).listTags();
    assert.deepEqual(
      tags.map((t) => t.name),
      ['app:1'],
    );
  });

  test('a corrupt blob is refused before it is stored', async () => {
    const ep = openEndpoint(parseImageRef(`oci:${join(work, 'other')}`), { home: new Home(work) });
    const desc = { mediaType: 'application/octet-stream', digest: manifest.digest, size: 3 };
    await assert.rejects(
      ep.requireWriter().putBlob(desc, async () => Readable.from([text('bad')])),
      (e) => isIroncladError(e, 'DIGEST_MISMATCH'),
    );
  });
});

test('a docker-archive endpoint reads but refuses writes and referrers with USAGE', async () => {
  const d = await mkdtemp(join(tmpdir(), 'ironclad-endpoint-archive-'));
  try {
    const { manifest } = await writeTestImage(join(d, 'oci'), [[file('a', 'b')]], 'latest');
    const archive = join(d, 'img.tar');
    execFileSync('skopeo', ['copy', '-q', `oci:${join(d, 'oci')}:latest`, `docker-archive:${archive}:example/app:1`]);
    const ep = openEndpoint(parseImageRef(`docker-archive:${archive}`), { home: new Home(d) });
    assert.equal((await ep.source.resolve()).layers().length, 1);
    assert.equal(ep.writer, undefined);
    assert.throws(
      () => ep.requireWriter(),
      (e) => isIroncladError(e, 'USAGE'),
    );
    await assert.rejects(ep.referrers.attach({ artifactType: 'x/y', subject: manifest, layers: [] }), (e) =>
      isIroncladError(e, 'USAGE'),
    );
  } finally {
    await rm(d, { recursive: true, force: true });
  }
});

test('registry references need the registry transport', () => {
  assert.throws(
    () => openEndpoint(parseImageRef('docker://example.com/app:1'), { home: new Home('/nonexistent') }),
    (e) => isIroncladError(e, 'USAGE'),
  );
});
