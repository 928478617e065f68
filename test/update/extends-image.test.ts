import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateKeyPair, writeKeyPairFiles } from '../../src/attest/index.ts';
import { imageSourceFrom, LayoutStore, layoutBlobStore } from '../../src/oci/index.ts';
import { FIXTURE_PACKAGES } from '../support/fixture-image.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';
import { createUpdateFixture, SECURITY_SUITE, type UpdateFixture } from '../support/update-fixture.ts';

const customization = (image: string, key: string) =>
  `extends: {image: ${image}, key: ${key}}\nname: my-lib\ntags: ["1-corp"]\npackages: [fix-config]\n`;

describe('ironclad update, status and catalog with a customization of a published image (real registry)', () => {
  let fx: UpdateFixture;
  let registry: RegistryServer;
  let pinned: string;
  const store = () => join(fx.env.IRONCLAD_HOME ?? '', 'store');
  const digest = async (tag: string) => (await (await LayoutStore.open(store())).resolveTag(tag))?.digest;
  const layers = async (tag: string) =>
    (await imageSourceFrom(layoutBlobStore(store()), tag).resolve()).manifest().layers.map((l) => l.digest);
  const lockedVersion = async (image: string, pkg: string) => {
    const lock = JSON.parse(await readFile(join(fx.dir, 'images', image, 'ironclad.lock.json'), 'utf8'));
    const pkgs = lock.variants.runtime.platforms['linux/amd64'].packages as { name: string; version: string }[];
    return pkgs.find((p) => p.name === pkg)?.version;
  };
  const write = (key: string) =>
    writeFile(join(fx.dir, 'images/my-lib/image.yaml'), customization(pinned, `../../${key}`));
  const variant = (report: string, name: string) =>
    JSON.parse(report).images.find((i: { name: string }) => i.name === name).variants[0];

  before(async () => {
    fx = await createUpdateFixture();
    registry = await startRegistry();
    await writeKeyPairFiles(join(fx.dir, 'ironclad'), await generateKeyPair('pw'));
    await writeKeyPairFiles(join(fx.dir, 'other'), await generateKeyPair('pw'));
    const b = await fx.cli('build', 'images/lib', '--distros', 'distros', '--no-test', '--key', 'ironclad.key');
    assert.equal(b.code, 0, b.err);
    const p = await fx.cli('push', 'lib:1', `docker://${registry.host}/team/base:1`);
    assert.equal(p.code, 0, p.err);
    const top = await imageSourceFrom(layoutBlobStore(store()), 'lib:1').top();
    pinned = `${registry.host}/team/base:1@${top.desc.digest}`;
    await mkdir(join(fx.dir, 'images/my-lib'));
    await write('ironclad.pub');
  });
  after(async () => {
    await registry.stop();
    await fx.close();
  });

  test('update locks and builds it on the verified base, whose layers come first', async () => {
    const r = await fx.cli('update', '--distros', 'distros', '--no-test', '--format', 'json');
    assert.equal(r.code, 0, r.err);
    assert.equal(variant(r.out, 'my-lib').status, 'updated');
    assert.equal(variant(r.out, 'lib').status, 'unchanged');
    const baseLayers = await layers('lib:1');
    assert.deepEqual((await layers('my-lib:1-corp')).slice(0, baseLayers.length), baseLayers);
    assert.equal(await lockedVersion('my-lib', 'fix-config'), '1.0');
  });

  test('status and catalog list it like any image', async () => {
    const s = await fx.cli('status', '--distros', 'distros', '--format', 'json');
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /"my-lib"/);
    const c = await fx.cli('catalog', '--format', 'json');
    assert.equal(c.code, 0, c.err);
    const entry = JSON.parse(c.out).images.find((i: { name: string }) => i.name === 'my-lib');
    assert.equal(entry?.variants[0].reference, 'my-lib:1-corp');
  });

  test('a security update of a package it added re-locks and rebuilds it; the pinned base does not move', async () => {
    const before = { lib: await digest('lib:1'), mine: await digest('my-lib:1-corp'), libfix: '' };
    before.libfix = (await lockedVersion('my-lib', 'libfix1')) ?? '';
    const config = FIXTURE_PACKAGES.find((p) => p.name === 'fix-config');
    if (config === undefined) throw new Error('fix-config is not a fixture package');
    await fx.archive.publish(SECURITY_SUITE, [
      { ...config, version: '1.1', files: [{ path: '/etc/fix.conf', content: 'x=2\n' }] },
    ]);
    const plan = await fx.cli('update', '--plan', '--distros', 'distros', '--format', 'json');
    assert.equal(plan.code, 0, plan.err);
    const cell = JSON.parse(plan.out).jobs.find((j: { image: string }) => j.image === 'my-lib');
    assert.deepEqual(cell?.needs, [], 'a pinned base is no job to wait for');
    const r = await fx.cli('update', '--distros', 'distros', '--no-test', '--format', 'json');
    assert.equal(r.code, 0, r.err);
    const mine = variant(r.out, 'my-lib');
    assert.equal(mine.status, 'updated');
    assert.deepEqual(
      mine.packages.map((p: { name: string; to: string }) => [p.name, p.to]),
      [['fix-config', '1.1']],
    );
    assert.equal(variant(r.out, 'lib').status, 'unchanged');
    assert.equal(await digest('lib:1'), before.lib);
    assert.notEqual(await digest('my-lib:1-corp'), before.mine);
    assert.equal(await lockedVersion('my-lib', 'fix-config'), '1.1');
    assert.equal(await lockedVersion('my-lib', 'libfix1'), before.libfix, "the base's pins stay");
    const baseLayers = await layers('lib:1');
    assert.deepEqual((await layers('my-lib:1-corp')).slice(0, baseLayers.length), baseLayers);
    const again = await fx.cli('update', '--distros', 'distros', '--no-test');
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /0 updated, 4 unchanged, 0 failed/);
  });

  test('when the base tag moves in the registry, update and status say so and re-pin nothing', async () => {
    const p = await fx.cli('push', 'config:5', `docker://${registry.host}/team/base:1`);
    assert.equal(p.code, 0, p.err);
    const now = (await imageSourceFrom(layoutBlobStore(store()), 'config:5').top()).desc.digest;
    const was = pinned.replace(/.*@/, '');
    const note = `base ${registry.host}/team/base:1 moved from ${was} to ${now}: re-pin extends`;
    for (const verb of ['update', 'status']) {
      const r = await fx.cli(verb, '--distros', 'distros');
      assert.equal(r.code, 0, `${verb}: ${r.err}`);
      assert.ok(r.err.includes(note), `${verb}: ${r.err}`);
    }
    const text = await readFile(join(fx.dir, 'images/my-lib/image.yaml'), 'utf8');
    assert.ok(text.includes(pinned), 'the definition still pins the digest it had');
  });

  test('a base that does not verify with its key is a trust failure (exit 3) naming the check', async () => {
    await write('other.pub');
    for (const verb of [['update', '--no-test'], ['update', '--dry-run'], ['status']]) {
      const r = await fx.cli(...verb, '--distros', 'distros');
      assert.equal(r.code, 3, `${verb.join(' ')}: ${r.err}`);
      assert.match(r.err, /does not verify with the key: index signature: FAILED/);
    }
  });
});
