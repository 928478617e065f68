import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { imageSourceFrom, LayoutStore, layoutBlobStore } from '../../src/oci/index.ts';
import { createUpdateFixture, FIXED_VERSION, type UpdateFixture } from '../support/update-fixture.ts';

// Named to sort before its base: the update must still take the base first.
const CUSTOMIZATION = 'extends: lib\nname: a-lib\ntags: ["1-corp"]\npackages: [fix-config]\n';

describe('ironclad update cascades from a base to the customization that extends it', () => {
  let fx: UpdateFixture;
  const store = () => join(fx.env.IRONCLAD_HOME ?? '', 'store');
  const digest = async (tag: string) => (await (await LayoutStore.open(store())).resolveTag(tag))?.digest;
  const layers = async (tag: string) =>
    (await imageSourceFrom(layoutBlobStore(store()), tag).resolve()).manifest().layers.map((l) => l.digest);

  before(async () => {
    fx = await createUpdateFixture();
    await mkdir(join(fx.dir, 'images/a-lib'));
    await writeFile(join(fx.dir, 'images/a-lib/image.yaml'), CUSTOMIZATION);
    const r = await fx.cli('lock', 'images/a-lib', '--distros', 'distros');
    assert.equal(r.code, 0, r.err);
    const first = await fx.cli('update', '--distros', 'distros', '--no-test');
    assert.equal(first.code, 0, first.err);
  });
  after(() => fx.close());

  test('a security update of a base package rebuilds the base, then the customization, and nothing else', async () => {
    const before = { lib: await digest('lib:1'), mine: await digest('a-lib:1-corp'), config: await digest('config:5') };
    await fx.publishFix();
    const plan = await fx.cli('update', '--plan', '--distros', 'distros', '--format', 'json');
    assert.equal(plan.code, 0, plan.err);
    const cell = (image: string) => JSON.parse(plan.out).jobs.find((j: { image: string }) => j.image === image);
    assert.deepEqual(cell('a-lib').needs, [cell('lib').id], 'the job plan builds the base cell first');
    assert.equal(cell('a-lib').wave, 1);
    const r = await fx.cli('update', '--distros', 'distros', '--no-test', '--format', 'json');
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out);
    const names = report.images.map((i: { name: string }) => i.name);
    assert.ok(names.indexOf('lib') < names.indexOf('a-lib'), `the base first: ${names.join(', ')}`);
    const variant = (name: string) => report.images.find((i: { name: string }) => i.name === name).variants[0];
    assert.equal(variant('config').status, 'unchanged');
    assert.equal(variant('lib').status, 'updated');
    const mine = variant('a-lib');
    assert.equal(mine.status, 'updated');
    const libNow = await digest('lib:1');
    assert.deepEqual(mine.base, { image: 'lib:1', from: before.lib, to: libNow });
    assert.deepEqual(
      mine.packages.map((p: { name: string; to: string }) => [p.name, p.to]),
      [['libfix1', FIXED_VERSION]],
      'what moved in the base',
    );
    assert.notEqual(await digest('a-lib:1-corp'), before.mine);
    assert.equal(await digest('config:5'), before.config);
    const baseLayers = await layers('lib:1');
    assert.deepEqual((await layers('a-lib:1-corp')).slice(0, baseLayers.length), baseLayers);
    const lock = JSON.parse(await readFile(join(fx.dir, 'images/a-lib/ironclad.lock.json'), 'utf8'));
    const pkgs = lock.variants.runtime.platforms['linux/amd64'].packages;
    assert.equal(pkgs.find((p: { name: string }) => p.name === 'libfix1').version, FIXED_VERSION);

    const h = await fx.cli('history', 'a-lib:1-corp');
    assert.equal(h.code, 0, h.err);
    assert.match(h.out, new RegExp(`base lib:1 moved from ${before.lib} to ${libNow}`));
  });

  test('a second update does nothing', async () => {
    const r = await fx.cli('update', '--distros', 'distros', '--no-test');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /0 updated, 4 unchanged, 0 failed/);
  });
});
