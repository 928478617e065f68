import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateKeyPair, writeKeyPairFiles } from '../../src/attest/index.ts';
import { imageSourceFrom, layoutBlobStore } from '../../src/oci/index.ts';
import { fixtureCli } from '../support/cli-io.ts';
import { createFixtureArchive, type FixtureArchive, writeFixtureDistroFile } from '../support/fixture-archive.ts';
import { FIXTURE_PACKAGES } from '../support/fixture-image.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

const PROVENANCE = 'https://slsa.dev/provenance/v1';

const BASE = `name: lib
distro: fixture
platforms: [linux/amd64]
tags: ["1"]
packages: [libfix1]
labels: {org.opencontainers.image.vendor: Fixture}
`;

const customization = (image: string, key?: string) => `extends: {image: ${image}${key ? `, key: ${key}` : ''}}
name: my-lib
tags: ["1-corp"]
packages: [fix-config]
environment: {APP_MODE: corp}
paths:
  - {path: /etc/app/app.conf, type: file, content: "mode=corp\\n", mode: "0644"}
`;

describe('extends: a published image, verified with a key (real registry)', () => {
  let fx: FixtureArchive;
  let registry: RegistryServer;
  let dir: string;
  let cli: ReturnType<typeof fixtureCli>;
  let signed: string;
  let unsigned: string;
  const store = () => layoutBlobStore(join(dir, 'home', 'store'));
  const write = (ref: string, key = '../../ironclad.pub') =>
    writeFile(join(dir, 'images/my-lib/image.yaml'), customization(ref, key));

  /** Pushes a local image and returns its registry reference pinned by the digest the registry serves. */
  const publish = async (local: string, repo: string, ...flags: string[]): Promise<string> => {
    const r = await cli('push', local, `docker://${registry.host}/${repo}`, ...flags);
    assert.equal(r.status, 0, r.err);
    const top = await imageSourceFrom(store(), local).top();
    return `${registry.host}/${repo}@${top.desc.digest}`;
  };

  before(async () => {
    fx = await createFixtureArchive({ suites: [{ name: 'fixture', packages: FIXTURE_PACKAGES }] });
    registry = await startRegistry();
    dir = await mkdtemp(join(tmpdir(), 'ironclad-extends-image-'));
    cli = fixtureCli({ dir, home: join(dir, 'home') });
    await mkdir(join(dir, 'distros'));
    await writeFixtureDistroFile(fx, join(dir, 'distros'));
    await mkdir(join(dir, 'images/lib'), { recursive: true });
    await mkdir(join(dir, 'images/my-lib'), { recursive: true });
    await writeFile(join(dir, 'images/lib/image.yaml'), BASE);
    await writeKeyPairFiles(join(dir, 'ironclad'), await generateKeyPair('pw'));
    await writeKeyPairFiles(join(dir, 'other'), await generateKeyPair('pw'));
    assert.equal((await cli('lock', 'images/lib', '--distros', 'distros')).status, 0);
    const b = await cli('build', 'images/lib', '--distros', 'distros', '--no-test', '--key', 'ironclad.key');
    assert.equal(b.status, 0, b.err);
    signed = await publish('lib:1', 'team/base:1');
    unsigned = await publish('lib:1', 'team/unsigned:1', '--no-referrers');
  });
  after(async () => {
    await registry.stop();
    await fx.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a tag without a digest is refused (exit 2) with a hint to pin it', async () => {
    await write(`${registry.host}/team/base:1`);
    const r = await cli('lock', 'images/my-lib', '--distros', 'distros');
    assert.equal(r.status, 2, r.err);
    assert.match(r.err, /not pinned by digest/);
    assert.match(r.err, /pin the digest/);
  });

  test('the wrong key, an unsigned image and an image without provenance are refused (exit 3), naming what failed', async () => {
    await write(signed, '../../other.pub');
    const wrong = await cli('lock', 'images/my-lib', '--distros', 'distros');
    assert.equal(wrong.status, 3, wrong.err);
    assert.match(wrong.err, /does not verify with the key: index signature: FAILED: .*wrong key/);
    await write(unsigned);
    const none = await cli('lock', 'images/my-lib', '--distros', 'distros');
    assert.equal(none.status, 3, none.err);
    assert.match(none.err, /does not verify with the key: index signature: no signature found/);
    await write(signed.replace(/@sha256:.*/, `@sha256:${'0'.repeat(64)}`));
    const gone = await cli('lock', 'images/my-lib', '--distros', 'distros');
    assert.equal(gone.status, 2, gone.err);
    assert.match(gone.err, /MANIFEST_UNKNOWN/);
    // Signed with the right key, but nothing says how it was built: no provenance, no base.
    const s = await cli('sign', `docker://${unsigned}`, '--key', 'ironclad.key');
    assert.equal(s.status, 0, s.err);
    await write(unsigned);
    const bare = await cli('lock', 'images/my-lib', '--distros', 'distros');
    assert.equal(bare.status, 3, bare.err);
    assert.match(bare.err, /does not verify with the key: .*attestation provenance: missing/);
  });

  test('the key comes from the definition, or from --base-key, which wins; without either the lock is refused', async () => {
    await write(signed, ''); // no key: in the definition
    const none = await cli('lock', 'images/my-lib', '--distros', 'distros');
    assert.equal(none.status, 2, none.err);
    assert.match(none.err, /names no key/);
    assert.match(none.err, /--base-key FILE/);
    await write(signed, '../../other.pub');
    const given = await cli('lock', 'images/my-lib', '--distros', 'distros', '--base-key', 'ironclad.pub');
    assert.equal(given.status, 0, given.err);
    const wrong = await cli('lock', 'images/my-lib', '--distros', 'distros', '--base-key', 'other.pub');
    assert.equal(wrong.status, 3, wrong.err);
  });

  test('lock and build on the verified base: its layers first, same digests; provenance and SBOM name it', async () => {
    await write(signed);
    const l = await cli('lock', 'images/my-lib', '--distros', 'distros');
    assert.equal(l.status, 0, l.err);
    const b = await cli('build', 'images/my-lib', '--distros', 'distros', '--no-test', '--key', 'ironclad.key');
    assert.equal(b.status, 0, b.err);
    // The registry holds what the store pushed, byte for byte: the published platform manifest is lib:1's.
    const published = await imageSourceFrom(store(), 'lib:1').resolve();
    const mine = await imageSourceFrom(store(), 'my-lib:1-corp').resolve();
    const baseLayers = published.manifest().layers.map((l) => l.digest);
    const myLayers = mine.manifest().layers.map((l) => l.digest);
    assert.deepEqual(myLayers.slice(0, baseLayers.length), baseLayers, 'the published layers, same digests');
    assert.ok(myLayers.length > baseLayers.length);
    const labels = (await mine.config()).config?.Labels ?? {};
    assert.equal(labels['org.opencontainers.image.base.name'], `${registry.host}/team/base:1`);
    assert.equal(labels['org.opencontainers.image.base.digest'], published.digest);
    assert.equal(labels['org.opencontainers.image.vendor'], 'Fixture');

    const prov = await cli('attest', 'get', 'my-lib:1-corp', '--predicate-type', PROVENANCE, '--predicate');
    assert.equal(prov.status, 0, prov.err);
    const params = JSON.parse(prov.out).buildDefinition.externalParameters;
    assert.equal(`sha256:${params.base.digest.sha256}`, published.digest);
    assert.deepEqual(params.base.packages, ['libfix1']);
    const sbom = await cli('sbom', 'my-lib:1-corp', '--format', 'spdx-json');
    const names = JSON.parse(sbom.out).packages.map((p: { name: string }) => p.name);
    assert.ok(names.includes('libfix1') && names.includes('fix-config'), names.join(', '));
    const v = await cli('verify', 'my-lib:1-corp', '--key', 'ironclad.pub', '--require', 'provenance,sbom');
    assert.equal(v.status, 0, `${v.out}\n${v.err}`);
    // The rebuild verifies the published base again, makes it from its provenance, then the customization on top.
    const again = await cli('rebuild', 'my-lib:1-corp', '--verify', '--key', 'ironclad.pub', '--distros', 'distros');
    assert.equal(again.status, 0, `${again.out}\n${again.err}`);
  });

  test('a base package the archive no longer serves: exit 4 naming the base and the package, unless the .deb cache has it', async () => {
    await write(signed);
    // Debian drops a superseded version from the archive; here its .deb leaves the pool.
    const deb = fx.debs.get('libfix1_1.2-3_amd64');
    assert.ok(deb);
    await rm(join(fx.root, deb.filename));
    const fresh = fixtureCli({ dir, home: join(dir, 'fresh') }); // another machine: empty .deb cache
    const l = await fresh('lock', 'images/my-lib', '--distros', 'distros');
    assert.equal(l.status, 0, l.err); // the lock comes from the signed provenance
    const b = await fresh('build', 'images/my-lib', '--distros', 'distros', '--no-test', '--key', 'ironclad.key');
    assert.equal(b.status, 4, b.err);
    assert.match(b.err, new RegExp(`the base ${registry.host}/team/base:1 \\(linux/amd64\\) cannot be made again`));
    assert.match(b.err, /libfix1_1\.2-3 \(amd64\): not found on the server/);
    assert.match(b.err, /Pin extends\.image to the base's current digest/);
    assert.match(b.err, /\.deb cache/);
    assert.doesNotMatch(b.err, /\n\s+at /, 'no stack trace');
    // The hint's way to read the current digest works.
    const v = await fresh(
      'verify',
      `docker://${registry.host}/team/base:1`,
      '--key',
      'ironclad.pub',
      '--format',
      'json',
    );
    assert.equal(v.status, 0, `${v.out}\n${v.err}`);
    assert.ok(v.out.includes(signed.split('@')[1]!), v.out);
    // Where the .deb cache still holds it, the base is made again and the customization builds.
    const cached = await cli('build', 'images/my-lib', '--distros', 'distros', '--no-test', '--key', 'ironclad.key');
    assert.equal(cached.status, 0, cached.err);
  });
});
