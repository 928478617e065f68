import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { createRegistryClient } from '../../src/registry/client.ts';
import { listReferrers } from '../../src/registry/referrers.ts';
import { CHANGELOG_ARTIFACT_TYPE } from '../../src/update/changelog.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';
import { createUpdateFixture, FIXED_VERSION, type UpdateFixture } from '../support/update-fixture.ts';

// update --key --registry: a rebuilt image is signed, attested and pushed under every tag with its changelog; an
// image that did not move is neither rebuilt nor pushed again.

let fx: UpdateFixture;
let registry: RegistryServer;
before(async () => {
  fx = await createUpdateFixture();
  registry = await startRegistry();
  assert.equal((await fx.cli('keygen')).code, 0);
});
after(async () => {
  await registry.stop();
  await fx.close();
});

const update = (...more: string[]) =>
  fx.cli('update', 'images/lib', '--distros', 'distros', '--no-test', '--key', 'ironclad.key', ...more);

test('a rebuilt image is signed and pushed with its changelog; the pushed image verifies with the public key', async () => {
  const prefix = `${registry.host}/team`;
  const first = await update('--registry', prefix, '--format', 'json');
  assert.equal(first.code, 0, first.err);
  assert.equal((await fx.cli('verify', `${prefix}/lib:1`, '--key', 'ironclad.pub')).code, 0);

  await fx.publishFix();
  const r = await update('--registry', prefix, '--format', 'json');
  assert.equal(r.code, 0, r.err);
  const v = JSON.parse(r.out).images[0].variants[0];
  assert.equal(v.status, 'updated');
  assert.equal(v.packages[0].to, FIXED_VERSION);
  const verified = await fx.cli('verify', `${prefix}/lib:1`, '--key', 'ironclad.pub');
  assert.equal(verified.code, 0, verified.err);

  const client = createRegistryClient({ host: registry.host }, createContext({ home: fx.env.IRONCLAD_HOME ?? '' }));
  const referrers = await listReferrers(client, 'team/lib', v.digest);
  const changelogs = referrers.filter((d) => d.artifactType === CHANGELOG_ARTIFACT_TYPE).map((d) => d.digest);
  assert.deepEqual(changelogs, [v.changelog]);

  const again = await update('--registry', prefix);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /0 updated, 1 unchanged, 0 failed/);
  assert.doesNotMatch(again.err, /pushed/);
});

test('--registry takes a repository prefix, not a tag', async () => {
  const r = await update('--registry', `${registry.host}/team/lib:1`, '--dry-run');
  assert.equal(r.code, 2);
  assert.match(r.err, /without a tag/);
});
