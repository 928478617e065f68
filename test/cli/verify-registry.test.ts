import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { attachBuildAttestations, keySigner, loadPrivateKey } from '../../src/attest/index.ts';
import type { BuildResult } from '../../src/image/index.ts';
import type { FixtureImage } from '../support/fixture-image.ts';
import type { RegistryServer } from '../support/registry-server.ts';
import { type SigningFixture, startSigningFixture } from '../support/signing-fixture.ts';

const VEX = 'https://openvex.dev/ns/v0.2.0';

describe('sign, attest and verify on registry references (real registry)', () => {
  let registry: RegistryServer;
  let fx: FixtureImage;
  let result: BuildResult;

  let cli: SigningFixture['cli'];
  let signing: SigningFixture;

  const ref = (path: string) => `docker://${registry.host}/${path}`;

  before(async () => {
    signing = await startSigningFixture();
    ({ registry, fx, result, cli } = signing);
  });
  after(() => signing.close());

  test('an unsigned pushed image is signed and attested in the registry, then verifies', async () => {
    const image = ref('team/plain:1.0');
    const pushed = await cli('push', 'fixture:1.0', image);
    assert.equal(pushed.status, 0, pushed.err);

    const before = await cli('verify', image, '--key', 'ironclad.pub', '--require', 'none');
    assert.equal(before.status, 3, 'nothing is signed yet');

    const signed = await cli('sign', image, '--key', 'ironclad.key');
    assert.equal(signed.status, 0, signed.err);
    assert.match(signed.out, /signed index/);
    const ok = await cli('verify', image, '--key', 'ironclad.pub', '--require', 'none', '--format', 'json');
    assert.equal(ok.status, 0, ok.out + ok.err);
    assert.deepEqual(
      JSON.parse(ok.out).checks.map((c: { check: string }) => c.check),
      ['index signature', 'signature'],
    );
    const wrong = await cli('verify', image, '--key', 'other.pub', '--require', 'none');
    assert.equal(wrong.status, 3);

    const attested = await cli('attest', image, '--predicate', 'vex.json', '--type', VEX, '--key', 'ironclad.key');
    assert.equal(attested.status, 0, attested.err);
    const list = await cli('attest', 'list', image, '--format', 'json');
    assert.equal(list.status, 0, list.err);
    const listed = JSON.parse(list.out) as { schema: string; attached: { kind: string; predicateType?: string }[] };
    assert.equal(listed.schema, 'https://ironclad.dev/schemas/attest-list/v1');
    const rows = listed.attached;
    assert.ok(
      rows.some((r) => r.kind === 'attestation' && r.predicateType === VEX),
      list.out,
    );
    assert.equal(rows.filter((r) => r.kind === 'signature').length, 2, 'index and platform signatures');

    const vex = await cli('verify', image, '--key', 'ironclad.pub', '--require', 'vex');
    assert.equal(vex.status, 0, vex.out + vex.err);
    const missing = await cli('verify', image, '--key', 'ironclad.pub', '--require', 'vex,provenance');
    assert.equal(missing.status, 3);
    assert.match(missing.err, /attestation provenance/);

    const get = await cli(
      'attest',
      'get',
      image,
      '--predicate-type',
      VEX,
      '--predicate',
      '--verify',
      '--key',
      'ironclad.pub',
    );
    assert.equal(get.status, 0, get.err);
    assert.deepEqual(JSON.parse(get.out).statements, []);
  });

  test('a build signed locally (build --key) and pushed verifies in the registry, by tag and by digest', async () => {
    const pair = await loadPrivateKey(await readFile(join(fx.dir, 'ironclad.key')), 'pw');
    await attachBuildAttestations(result, keySigner(pair), fx.ctx, { definitionPath: 'def/image.yaml' });
    const image = ref('team/signed:1.0');
    const pushed = await cli('push', 'fixture:1.0', image);
    assert.equal(pushed.status, 0, pushed.err);

    const byTag = await cli('verify', image, '--key', 'ironclad.pub', '--require', 'provenance,sbom');
    assert.equal(byTag.status, 0, byTag.out + byTag.err);
    assert.match(byTag.out, /verified$/);
    const digest = result.images[0]!.index.digest;
    const byDigest = await cli('verify', ref(`team/signed@${digest}`), '--key', 'ironclad.pub');
    assert.equal(byDigest.status, 0, byDigest.out + byDigest.err);
    const wrong = await cli('verify', image, '--key', 'other.pub', '--require', 'provenance,sbom');
    assert.equal(wrong.status, 3);
  });

  test('a docker-archive reference cannot hold signatures (exit 2)', async () => {
    const r = await cli('sign', 'docker-archive:image.tar', '--key', 'ironclad.key');
    assert.equal(r.status, 2);
  });
});
