import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { collectEvidence } from '../../src/attest/evidence.ts';
import { generateKeyPair, writeKeyPairFiles } from '../../src/attest/index.ts';
import { runCli } from '../../src/cli/main.ts';
import { type BuildResult, buildImages } from '../../src/image/index.ts';
import { layoutEndpoint } from '../../src/oci/index.ts';
import { captureIO } from '../support/cli-io.ts';
import { createFixtureImage, type FixtureImage } from '../support/fixture-image.ts';

// `ironclad sign` of a digest that already carries a valid signature by the same key over the same payload keeps
// that one (ECDSA signatures are randomised: signing again would add a referrer and a .sig layer every time).

describe('sign is idempotent per key and identity', () => {
  let fx: FixtureImage;
  let result: BuildResult;
  let layout: string;

  before(async () => {
    fx = await createFixtureImage();
    layout = join(fx.dir, 'oci');
    result = await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro, out: layout }, fx.ctx);
    await writeKeyPairFiles(join(fx.dir, 'ironclad'), await generateKeyPair('pw'));
    await writeKeyPairFiles(join(fx.dir, 'other'), await generateKeyPair('pw'));
  });
  after(async () => fx.close());

  async function sign(...extra: string[]) {
    const io = captureIO(fx.dir, { IRONCLAD_HOME: fx.home, IRONCLAD_PASSWORD: 'pw' });
    const status = await runCli(['sign', `oci:${layout}:1.0`, ...extra], io);
    assert.equal(status, 0, io.err.join('\n'));
    return io.out.join('\n');
  }
  const reusedOf = (out: string) => JSON.parse(out).signed.map((s: { reused: boolean }) => s.reused);

  /** Each signature of the index and the platform manifest: its form and its bytes. */
  async function signatures(): Promise<string[]> {
    const image = result.images[0]!;
    const out: string[] = [];
    for (const d of [image.index, ...image.platforms.map((p) => p.manifest)]) {
      for (const e of await collectEvidence(layoutEndpoint(layout).referrers, d.digest)) {
        if (e.kind === 'signature') out.push(`${d.digest} referrer ${e.manifest.digest}`);
        if (e.kind === 'cosign-signature') out.push(`${d.digest} tag ${Buffer.from(e.signature).toString('base64')}`);
      }
    }
    return out.sort();
  }

  test('signing again with the same key adds nothing and says so; another identity or key signs anew', async () => {
    // Referrers only first: signing again in both forms puts the same signature into the cosign tag too.
    assert.deepEqual(
      reusedOf(await sign('--key', 'ironclad.key', '--signature-format', 'referrers', '--format', 'json')),
      [false, false],
    );
    const first = await signatures();
    assert.equal(first.length, 2);
    assert.deepEqual(reusedOf(await sign('--key', 'ironclad.key', '--format', 'json')), [true, true]);
    const both = await signatures();
    assert.equal(both.length, 4, 'the same signatures, now in the cosign tags too');
    assert.ok(first.every((s) => both.includes(s)));

    const text = await sign('--key', 'ironclad.key');
    assert.match(text, /^already signed index .*nothing new signed\)$/m);
    assert.match(text, /^already signed linux\/amd64 .*nothing new signed\)$/m);
    assert.deepEqual(await signatures(), both, 'no signature added');

    // A different docker-reference is a different payload, and another key a different signer: both sign.
    assert.deepEqual(
      reusedOf(
        await sign('--key', 'ironclad.key', '--identity', 'registry.example.com/team/fixture', '--format', 'json'),
      ),
      [false, false],
    );
    assert.deepEqual(reusedOf(await sign('--key', 'other.key', '--format', 'json')), [false, false]);
    assert.equal((await signatures()).length, 12);
  });
});
