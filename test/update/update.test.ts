import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { outputSchema } from '../../src/core/output-schema.ts';
import { LayoutStore, MAX_MANIFEST_BYTES, parseManifest } from '../../src/oci/index.ts';
import { CHANGELOG_ARTIFACT_TYPE } from '../../src/update/changelog.ts';
import { createUpdateFixture, FIXED_CVE, FIXED_VERSION, type UpdateFixture } from '../support/update-fixture.ts';

const TAGS = { lib: 'lib:1', config: 'config:5', tool: 'tool:2' } as const;

describe('ironclad update over a fixture archive that publishes a security update', () => {
  let fx: UpdateFixture;
  const digests = async () => {
    const store = await LayoutStore.open(join(fx.env.IRONCLAD_HOME ?? '', 'store'));
    const out: Record<string, string | undefined> = {};
    for (const [k, tag] of Object.entries(TAGS)) out[k] = (await store.resolveTag(tag))?.digest;
    return out;
  };
  const lockOf = (name: string) => readFile(join(fx.dir, 'images', name, 'ironclad.lock.json'), 'utf8');

  before(async () => {
    fx = await createUpdateFixture();
  });
  after(() => fx.close());

  test('--dry-run plans the first builds and writes nothing', async () => {
    const r = await fx.cli('update', '--distros', 'distros', '--dry-run');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /lib:1: would rebuild \(not in the local store\)/);
    assert.match(r.out, /dry run: 3 images to rebuild; nothing was written/);
    assert.deepEqual(await digests(), { lib: undefined, config: undefined, tool: undefined });
  });

  test('the first update builds what is not in the store; the locks stay as they are', async () => {
    const locks = await Promise.all(['config', 'lib', 'tool'].map(lockOf));
    // Unit tier: no runc here; interrupt.system.test.ts runs the test stage.
    const r = await fx.cli('update', '--distros', 'distros', '--no-test');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /3 updated, 0 unchanged, 0 failed/);
    assert.deepEqual(await Promise.all(['config', 'lib', 'tool'].map(lockOf)), locks);
    const h = await fx.cli('history', 'lib:1', '--format', 'json');
    assert.equal(h.code, 0, h.err);
    const history = JSON.parse(h.out);
    assert.equal(history.schema, outputSchema('history'));
    assert.deepEqual(
      history.entries.map((e: { reason: string; previous: string | null }) => [e.reason, e.previous]),
      [['not-built', null]],
    );
  });

  test('a security update of a library two of three images use: two rebuilt, only their changed layers new', async () => {
    const before = await digests();
    await fx.importOsv();
    await fx.publishFix();
    const dry = await fx.cli('update', '--distros', 'distros', '--dry-run', '--format', 'json');
    assert.equal(dry.code, 0, dry.err);
    const planned = JSON.parse(dry.out);
    assert.equal(planned.schema, outputSchema('update'));
    assert.deepEqual(
      planned.images.map((i: { name: string; lockChanged: boolean }) => [i.name, i.lockChanged]),
      [
        ['config', false],
        ['lib', true],
        ['tool', true],
      ],
    );
    assert.doesNotMatch(await lockOf('lib'), new RegExp(FIXED_VERSION), 'a dry run writes no lock');

    const r = await fx.cli('update', '--distros', 'distros', '--format', 'json', '--no-test');
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out);
    const variant = (name: string) => report.images.find((i: { name: string }) => i.name === name).variants[0];
    assert.equal(variant('config').status, 'unchanged');
    for (const name of ['lib', 'tool'] as const) {
      const v = variant(name);
      assert.equal(v.status, 'updated');
      assert.equal(v.previous, before[name]);
      assert.deepEqual(v.fixed, [{ id: FIXED_CVE, severity: 'high', source: 'fixlib' }]);
      assert.deepEqual(
        v.packages.map((p: { name: string; from: string; to: string }) => [p.name, p.from, p.to]),
        [['libfix1', '1.2-3', FIXED_VERSION]],
      );
      // The library's layer and the generated ones that list packages (status.d, the embedded SBOM) change.
      assert.equal(v.layers.created, 3, JSON.stringify(v.layers));
      assert.match(await lockOf(name), new RegExp(`"version": "${FIXED_VERSION}"`));
    }
    const after = await digests();
    assert.equal(after.config, before.config, 'the image without the library keeps its digest');
    assert.notEqual(after.lib, before.lib);
    assert.notEqual(after.tool, before.tool);
    assert.equal(variant('lib').digest, after.lib);
    assert.equal(variant('tool').layers.reused, 2, 'fixtool and fix-config keep their layers');
  });

  test('history lists every digest the tag had with the changelog of each move; the changelog is a referrer', async () => {
    const h = await fx.cli('history', 'lib:1');
    assert.equal(h.code, 0, h.err);
    assert.match(h.out, new RegExp(`libfix1 1\\.2-3 → ${FIXED_VERSION} \\(fixture-security\\) on linux/amd64`));
    assert.match(h.out, new RegExp(`fixes ${FIXED_CVE} \\(high\\)`));
    const json = JSON.parse((await fx.cli('history', 'lib', '--format', 'json')).out);
    assert.equal(json.entries.length, 2);
    const [first, second] = json.entries;
    assert.equal(second.previous, first.digest);
    assert.equal(json.tags['lib:1'], second.digest);

    const store = await LayoutStore.open(join(fx.env.IRONCLAD_HOME ?? '', 'store'));
    const referrers = (await store.referrers(second.digest)).filter((d) => d.artifactType === CHANGELOG_ARTIFACT_TYPE);
    assert.deepEqual(
      referrers.map((d) => d.digest),
      [second.changelog],
    );
    const bytes = await store.readBlob(second.changelog, MAX_MANIFEST_BYTES);
    const manifest = parseManifest(bytes, referrers[0]?.mediaType ?? '');
    assert.equal(manifest.kind, 'manifest');
    if (manifest.kind !== 'manifest') return;
    const [jsonLayer, mdLayer] = manifest.manifest.layers;
    const changelog = JSON.parse((await store.readBlob(jsonLayer?.digest as never, 1 << 20)).toString());
    assert.equal(changelog.previous, first.digest);
    assert.deepEqual(changelog.fixed, [{ id: FIXED_CVE, severity: 'high', source: 'fixlib' }]);
    const md = (await store.readBlob(mdLayer?.digest as never, 1 << 20)).toString();
    assert.match(md, new RegExp(`- ${FIXED_CVE} \\(high, fixlib\\)`));
  });

  test('a second update does nothing', async () => {
    const before = await digests();
    const r = await fx.cli('update', '--distros', 'distros', '--no-test');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /0 updated, 3 unchanged, 0 failed/);
    assert.deepEqual(await digests(), before);
  });

  test('rmi keeps every digest history references; --forget-history lets gc drop them', async () => {
    const { entries } = JSON.parse((await fx.cli('history', 'lib', '--format', 'json')).out);
    const blob = (d: string) => join(fx.env.IRONCLAD_HOME ?? '', 'store', 'blobs', 'sha256', d.slice(7));
    assert.equal((await fx.cli('rmi', 'lib')).code, 0);
    for (const e of entries) assert.ok(await stat(blob(e.digest)), `${e.digest} is kept`);
    assert.equal((await fx.cli('history', 'lib')).code, 0);
    const forget = await fx.cli('rmi', 'lib', '--forget-history');
    assert.equal(forget.code, 0, forget.err);
    for (const e of entries) await assert.rejects(stat(blob(e.digest)), `${e.digest} is gone`);
    assert.equal((await fx.cli('history', 'lib')).code, 2);
  });
});
