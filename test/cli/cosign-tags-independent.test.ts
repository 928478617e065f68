import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { FixtureImage } from '../support/fixture-image.ts';
import type { RegistryServer } from '../support/registry-server.ts';
import { type ManifestJson, type SigningFixture, startSigningFixture } from '../support/signing-fixture.ts';

const exec = promisify(execFile);

/*
 * Our cosign `.sig`/`.att` tags judged by readers that share no code with us. The first choice, `skopeo copy` under
 * a containers-policy.json(5) requiring `sigstoreSigned` with our key, is not available: Debian bookworm's skopeo
 * 1.9.3 is built with sigstore verification removed and refuses every such policy ("Debian-local change: sigstore
 * disabled"). So skopeo reads the tags from the registry (inspect --raw, and copy, which checks every blob's
 * digest), the layout is checked against cosign's specs/SIGNATURE_SPEC.md and ATTESTATION_SPEC.md, and openssl
 * verifies the signatures with our public key and refuses them with another.
 */

const VEX = 'https://openvex.dev/ns/v0.2.0';

describe('cosign tags checked with skopeo and openssl (Debian’s skopeo cannot verify sigstoreSigned policies)', () => {
  let registry: RegistryServer;
  let fx: FixtureImage;
  const repo = () => `${registry.host}/team/fixture`;

  let cli: SigningFixture['cli'];
  let signing: SigningFixture;

  const skopeo = async (...args: string[]) =>
    (await exec('skopeo', args, { env: { ...process.env, HOME: fx.dir }, encoding: 'buffer' })).stdout;

  /** The exact manifest bytes under `reference`, as skopeo reads them. */
  async function rawManifest(reference: string): Promise<Buffer> {
    return skopeo('inspect', '--raw', '--tls-verify=false', `docker://${repo()}:${reference}`);
  }

  /** The blobs of the manifest under `tag`, copied by skopeo into a layout (each checked against its digest). */
  async function tagContent(tag: string): Promise<{ manifest: ManifestJson; blob(digest: string): Promise<Buffer> }> {
    const manifest = JSON.parse((await rawManifest(tag)).toString('utf8')) as ManifestJson;
    const dir = join(fx.dir, `skopeo-${tag}`);
    const policy = join(fx.dir, 'accept.json');
    await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    await skopeo('--policy', policy, 'copy', '--src-tls-verify=false', `docker://${repo()}:${tag}`, `oci:${dir}:x`);
    return { manifest, blob: (digest) => readFile(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length))) };
  }

  /** openssl's verdict on an ECDSA signature (DER) over `message` with SHA-256. */
  async function opensslVerifies(keyFile: string, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    const m = join(fx.dir, 'message.bin');
    const s = join(fx.dir, 'signature.der');
    await writeFile(m, message);
    await writeFile(s, signature);
    return exec('openssl', ['dgst', '-sha256', '-verify', join(fx.dir, keyFile), '-signature', s, m]).then(
      (r) => r.stdout.includes('Verified OK'),
      () => false,
    );
  }

  const tagOf = (digest: string, suffix: string) => `${digest.replace(':', '-')}${suffix}`;
  const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

  before(async () => {
    signing = await startSigningFixture();
    ({ registry, fx, cli } = signing);
    const image = `docker://${repo()}:1.0`;
    assert.equal((await cli('push', 'fixture:1.0', image, '--no-referrers')).status, 0);
    for (const argv of [
      ['sign', image, '--key', 'ironclad.key'],
      ['attest', image, '--predicate', 'vex.json', '--type', VEX, '--key', 'ironclad.key'],
    ]) {
      const r = await cli(...argv);
      assert.equal(r.status, 0, r.err);
    }
  });
  after(() => signing.close());

  test('our public key is PEM SubjectPublicKeyInfo (what a policy keyPath and openssl read)', async () => {
    const pem = await readFile(join(fx.dir, 'ironclad.pub'), 'utf8');
    assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n/);
  });

  test('the index and platform .sig tags follow SIGNATURE_SPEC.md; openssl accepts our key and refuses another', async () => {
    const index = sha256(await rawManifest('1.0'));
    const list = JSON.parse((await rawManifest('1.0')).toString('utf8')) as { manifests: { digest: string }[] };
    for (const subject of [index, ...list.manifests.map((m) => m.digest)]) {
      const { manifest, blob } = await tagContent(tagOf(subject, '.sig'));
      assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
      assert.equal(manifest.layers.length, 1);
      const layer = manifest.layers[0]!;
      assert.equal(layer.mediaType, 'application/vnd.dev.cosign.simplesigning.v1+json');
      const payload = await blob(layer.digest);
      assert.deepEqual(JSON.parse(payload.toString('utf8')).critical, {
        identity: { 'docker-reference': repo() },
        image: { 'docker-manifest-digest': subject },
        type: 'cosign container image signature',
      });
      const signature = Buffer.from(layer.annotations?.['dev.cosignproject.cosign/signature'] ?? '', 'base64');
      assert.equal(await opensslVerifies('ironclad.pub', payload, signature), true, `signature on ${subject}`);
      assert.equal(await opensslVerifies('other.pub', payload, signature), false);
      const tampered = Buffer.from(payload.toString('utf8').replace('team/fixture', 'team/elsewhere'));
      assert.equal(await opensslVerifies('ironclad.pub', tampered, signature), false);
    }
  });

  test('the platform .att tag follows ATTESTATION_SPEC.md: a DSSE envelope whose PAE openssl verifies', async () => {
    const list = JSON.parse((await rawManifest('1.0')).toString('utf8')) as { manifests: { digest: string }[] };
    const platform = list.manifests[0]!.digest;
    const { manifest, blob } = await tagContent(tagOf(platform, '.att'));
    assert.equal(manifest.layers.length, 1);
    const layer = manifest.layers[0]!;
    assert.equal(layer.mediaType, 'application/vnd.dsse.envelope.v1+json');
    assert.equal(layer.annotations?.predicateType, VEX);
    const envelope = JSON.parse((await blob(layer.digest)).toString('utf8')) as {
      payloadType: string;
      payload: string;
      signatures: { sig: string }[];
    };
    assert.equal(envelope.payloadType, 'application/vnd.in-toto+json');
    const payload = Buffer.from(envelope.payload, 'base64');
    const statement = JSON.parse(payload.toString('utf8'));
    assert.equal(statement.predicateType, VEX);
    assert.ok(statement.subject.some((s: { digest: { sha256: string } }) => `sha256:${s.digest.sha256}` === platform));
    // DSSE protocol.md: the signature covers "DSSEv1 <len type> <type> <len body> <body>".
    const type = envelope.payloadType;
    const pae = Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${payload.length} `), payload]);
    const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
    assert.equal(await opensslVerifies('ironclad.pub', pae, sig), true);
    assert.equal(await opensslVerifies('other.pub', pae, sig), false);
  });
});
