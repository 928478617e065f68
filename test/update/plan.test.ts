import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { loadDefinition } from '../../src/definition/index.ts';
import { planUpdate } from '../../src/update/plan.ts';
import {
  createUpdateFixture,
  FIXED_CVE,
  FIXED_VERSION,
  SECURITY_SUITE,
  type UpdateFixture,
} from '../support/update-fixture.ts';

let fx: UpdateFixture;
before(async () => {
  fx = await createUpdateFixture();
  await fx.importOsv();
});
after(() => fx.close());

const plan = async () => {
  const ctx = createContext({ home: fx.env.IRONCLAD_HOME ?? '' });
  const defs = await Promise.all(['config', 'lib', 'tool'].map((n) => loadDefinition(join(fx.dir, 'images', n))));
  return planUpdate(defs, { distroConfig: fx.archive.distro }, ctx);
};

test('before any update is published, no lock changes; images not in the store are planned as not built', async () => {
  for (const image of await plan()) {
    assert.equal(image.lockChanged, false, image.loaded.definition.name);
    assert.deepEqual(
      image.variants.map((v) => [v.variant.variant, v.rebuild, v.moves.length]),
      [['runtime', 'not-built', 0]],
    );
  }
});

test('a security update of a library used by two images re-locks those two, naming the move and the CVE fixed', async () => {
  await fx.publishFix();
  const [config, lib, tool] = await plan();
  assert.equal(config?.lockChanged, false);
  for (const image of [lib, tool]) {
    assert.equal(image?.lockChanged, true);
    const runtime = image?.variants[0];
    assert.equal(runtime?.rebuild, 'lock-changed');
    assert.deepEqual(runtime?.moves, [
      {
        kind: 'upgraded',
        name: 'libfix1',
        source: 'fixlib',
        from: '1.2-3',
        to: FIXED_VERSION,
        suite: SECURITY_SUITE,
        platforms: ['linux/amd64'],
      },
    ]);
    assert.deepEqual(runtime?.vulns, {
      fixed: [{ id: FIXED_CVE, severity: 'high', source: 'fixlib' }],
      introduced: [],
    });
    const pkg = image?.lock.variants.runtime?.platforms['linux/amd64']?.packages.find((p) => p.name === 'libfix1');
    assert.equal(pkg?.suite, SECURITY_SUITE);
  }
});
