import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { silentLogger } from '../../src/core/index.ts';
import { type Digest, imageSourceFrom, LayoutStore, layoutBlobStore, layoutEndpoint } from '../../src/oci/index.ts';
import { captureIO } from '../support/cli-io.ts';
import { createUpdateFixture, type UpdateFixture } from '../support/update-fixture.ts';

// `update --key` interrupted after signing and run again: the rebuild gives the same digest, and
// what the first run signed and attested with that key is not signed or attested a second time.

let fx: UpdateFixture;
const ARGS = ['update', 'images/lib', '--distros', 'distros', '--no-test', '--key', 'ironclad.key'];

before(async () => {
  fx = await createUpdateFixture();
  assert.equal((await fx.cli('keygen')).code, 0);
  const first = await fx.cli(...ARGS);
  assert.equal(first.code, 0, first.err);
  await fx.publishFix();
});
after(() => fx.close());

/** Every referrer of the index and of its platform manifests (signatures, attestations, SBOMs, changelog). */
async function referrersOf(index: Digest): Promise<string[]> {
  const store = await LayoutStore.open(join(fx.dir, 'home', 'store'));
  const manifests = await imageSourceFrom(layoutBlobStore(join(fx.dir, 'home', 'store')), index).manifests();
  const all: string[] = [];
  for (const d of [index, ...manifests.map((m) => m.digest)])
    all.push(...(await store.referrers(d)).map((r) => r.digest));
  return all.sort();
}

test('a rerun of an interrupted update --key signs and attests nothing the first run did', async () => {
  // The state an update killed after signing lib leaves (test/update/interrupt.system.test.ts kills one for real;
  // here the point must be exact): the new image stored, signed and attested, its tag, history and lock not moved.
  const lockFile = join(fx.dir, 'images', 'lib', 'ironclad.lock.json');
  const history = join(fx.dir, 'home', 'history', 'lib.json');
  const store = join(fx.dir, 'home', 'store');
  const [lock, moves, tagged] = [
    await readFile(lockFile, 'utf8'),
    await readFile(history, 'utf8'),
    await (await LayoutStore.open(store)).resolveTag('lib:1'),
  ];
  const first = await fx.cli(...ARGS, '--format', 'json');
  assert.equal(first.code, 0, first.err);
  const digest = JSON.parse(first.out).images[0].variants[0].digest;
  await writeFile(lockFile, lock);
  await writeFile(history, moves);
  if (tagged === undefined) throw new Error('lib:1 was not built');
  await layoutEndpoint(store).tag('lib:1', tagged);
  const signed = await referrersOf(digest);
  assert.ok(signed.length > 5, `signatures and attestations were attached: ${signed.length}`);

  const infos: string[] = [];
  const io = { ...captureIO(fx.dir, fx.env), log: { ...silentLogger, info: (m: string) => infos.push(m) } };
  assert.equal(await runCli([...ARGS, '--format', 'json'], io), 0, io.err.join('\n'));
  const variant = JSON.parse(io.out.join('\n')).images[0].variants[0];
  assert.equal(variant.status, 'updated');
  assert.equal(variant.digest, digest, 'the rebuild gives the digest the interrupted run signed');
  assert.deepEqual(await referrersOf(digest), signed, 'no second signature or attestation');
  assert.ok(
    infos.some((m) => /lib: already signed and attested with this key; nothing new signed/.test(m)),
    infos.join('\n'),
  );
  const verified = await fx.cli('verify', 'lib:1', '--key', 'ironclad.pub', '--require', 'provenance,sbom');
  assert.equal(verified.code, 0, verified.err);
});
