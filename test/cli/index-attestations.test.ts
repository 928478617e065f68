import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { attachBuildAttestations, keySigner, loadPrivateKey } from '../../src/attest/index.ts';
import { runCli } from '../../src/cli/main.ts';
import { silentLogger } from '../../src/core/index.ts';
import type { BuildResult } from '../../src/image/index.ts';
import { captureIO } from '../support/cli-io.ts';
import type { RegistryServer } from '../support/registry-server.ts';
import {
  type ManifestJson,
  registryHttp,
  type SigningFixture,
  startSigningFixture,
} from '../support/signing-fixture.ts';

/*
 * Attestations on the image index, in a real registry: what an admission controller reads when a pod names a
 * multi-platform tag (it checks the digest the tag resolves to, the index). Read back with plain HTTP in both
 * forms (cosign's .att tag and OCI referrers), verified by `verify`, and tampered with in the registry's storage.
 * Then `copy --key` turns tags-only signatures into referrers, verifying them first.
 */

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const PREDICATE_TYPE = 'dev.sigstore.bundle.predicateType';
const PROVENANCE = 'https://slsa.dev/provenance/v1';
const SPDX = 'https://spdx.dev/Document';
const CYCLONEDX = 'https://cyclonedx.org/bom';

interface Check {
  check: string;
  ok: boolean;
  subject: string;
  detail: string;
}
interface Entry {
  subject: string;
  platform?: string;
  kind: string;
  form: string;
  ok: boolean;
  predicateType?: string;
  reason?: string;
  referrer: string;
}

describe('attestations on the index of a multi-platform tag (real registry)', () => {
  let registry: RegistryServer;
  let result: BuildResult;
  let cli: SigningFixture['cli'];
  let signing: SigningFixture;
  let index: string;
  const ref = (path: string) => `docker://${registry.host}/${path}`;
  const tagOf = (digest: string, suffix: string) => `${digest.replace(':', '-')}${suffix}`;

  const http = () => registryHttp(registry.host);
  const getBlob = (repo: string, digest: string) => http().getBlob(repo, digest);
  const putBlob = (repo: string, bytes: Uint8Array) => http().putBlob(repo, bytes);
  const putManifest = (repo: string, tag: string, m: ManifestJson) => http().putManifest(repo, tag, m);
  async function getManifest(repo: string, reference: string, accept = OCI_MANIFEST) {
    const r = await http().getManifest(repo, reference, accept);
    return { status: r.status, json: r.manifest };
  }
  /** The OCI referrers of `digest`: the referrers API, or the referrers tag schema's `sha256-<hex>` index. */
  async function referrers(repo: string, digest: string) {
    const api = await fetch(`http://${registry.host}/v2/${repo}/referrers/${digest}`, {
      headers: { accept: OCI_INDEX },
    });
    if (api.status === 200) return ((await api.json()) as { manifests: ManifestJson['layers'] }).manifests;
    const fallback = await getManifest(repo, digest.replace(':', '-'), OCI_INDEX);
    return fallback.json?.manifests ?? [];
  }
  /** The CLI with warnings captured on stderr (the fixture's logger is silent). */
  async function cliWithWarnings(...argv: string[]): Promise<{ status: number; err: string }> {
    const io = captureIO(signing.fx.dir, {
      IRONCLAD_HOME: signing.fx.home,
      DOCKER_CONFIG: join(signing.fx.dir, 'docker'),
      HOME: signing.fx.dir,
    });
    const status = await runCli(argv, { ...io, log: { ...silentLogger, warn: (m) => io.err.push(`warning: ${m}`) } });
    return { status, err: io.err.join('\n') };
  }
  /**
   * Overwrites a blob in the registry's storage: the registry serves it as is, as a compromised store would. Blobs
   * are shared by every repository of the registry, so the returned function puts the original back.
   */
  async function corruptBlob(digest: string): Promise<() => Promise<void>> {
    const hex = digest.slice('sha256:'.length);
    const path = join(registry.dir, 'data/docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const bytes = await readFile(path);
    const text = bytes.toString('utf8');
    // Same length, one character of the base64 payload changed.
    const at = text.indexOf('"payload":"') + 40;
    await writeFile(path, `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`);
    return () => writeFile(path, bytes);
  }

  before(async () => {
    signing = await startSigningFixture();
    ({ registry, result, cli } = signing);
    const pair = await loadPrivateKey(await readFile(join(signing.fx.dir, 'ironclad.key')), 'pw');
    await attachBuildAttestations(result, keySigner(pair), signing.fx.ctx, { definitionPath: 'def/image.yaml' });
    index = result.images[0]!.index.digest;
  });
  after(() => signing.close());

  test('a signed build pushed by tag carries provenance and SBOM attestations on its index in both forms', async () => {
    const image = ref('team/idx:1.0');
    assert.equal((await cli('push', 'fixture:1.0', image)).status, 0);
    // The tag resolves to the index: that is the digest the controllers check.
    const top = await getManifest('team/idx', '1.0', OCI_INDEX);
    assert.equal(top.json?.mediaType, OCI_INDEX);

    const att = await getManifest('team/idx', tagOf(index, '.att'));
    assert.equal(att.status, 200, 'cosign .att tag of the index');
    const attTypes = att.json!.layers.map((l) => l.annotations?.predicateType);
    for (const t of [PROVENANCE, SPDX, CYCLONEDX]) assert.ok(attTypes.includes(t), `${t} in ${attTypes.join(', ')}`);
    const listed = (await referrers('team/idx', index)).map((d) => d.annotations?.[PREDICATE_TYPE]);
    for (const t of [PROVENANCE, SPDX, CYCLONEDX]) assert.ok(listed.includes(t), `${t} referrer of the index`);

    const r = await cli('verify', image, '--key', 'ironclad.pub', '--require', 'provenance,sbom', '--format', 'json');
    assert.equal(r.status, 0, r.out + r.err);
    const report = JSON.parse(r.out) as { checks: Check[]; entries: Entry[] };
    const onIndex = report.checks.filter((c) => c.check.startsWith('index attestation'));
    assert.deepEqual(
      onIndex.map((c) => [c.check, c.ok, c.subject]),
      [
        ['index attestation provenance', true, index],
        ['index attestation sbom', true, index],
      ],
    );
    const indexForms = new Set(
      report.entries.filter((e) => e.subject === index && e.kind === 'attestation').map((e) => e.form),
    );
    assert.deepEqual([...indexForms].sort(), ['cosign-tag', 'referrer']);

    const text = await cli('verify', image, '--key', 'ironclad.pub');
    assert.equal(text.status, 0, text.out + text.err);
    assert.match(text.out, /ok {6}attestation https:\/\/slsa\.dev\/provenance\/v1 on the index sha256:[0-9a-f]{64}\n/);
    assert.match(text.out, /ok {6}index attestation provenance {2}sha256:/);

    const got = await cli(
      'attest',
      'get',
      image,
      '--predicate-type',
      PROVENANCE,
      '--index',
      '--verify',
      '--key',
      'ironclad.pub',
    );
    assert.equal(got.status, 0, got.err);
    const statement = JSON.parse(got.out);
    assert.deepEqual(statement.subject[0].digest, { sha256: index.slice('sha256:'.length) });
    assert.equal(statement.predicate.buildDefinition.buildType, 'https://ironclad.dev/build/index/v1');
  });

  test('each form alone satisfies the index requirements', async () => {
    for (const format of ['tags', 'referrers']) {
      const image = ref(`team/idx-${format}:1.0`);
      const pushed = await cli('push', 'fixture:1.0', image, '--signature-format', format);
      assert.equal(pushed.status, 0, pushed.err);
      const r = await cli('verify', image, '--key', 'ironclad.pub', '--require', 'provenance,sbom', '--format', 'json');
      assert.equal(r.status, 0, `${format}: ${r.out}${r.err}`);
      const forms = new Set((JSON.parse(r.out) as { entries: Entry[] }).entries.map((e) => e.form));
      assert.deepEqual([...forms], [format === 'tags' ? 'cosign-tag' : 'referrer']);
    }
  });

  test('an index attestation changed in the registry fails verify with exit 3, naming it', async () => {
    // Tag form: the index's .att tag with its provenance envelope's statement changed, uploaded consistently
    // (as someone with push rights could): only the signature can tell.
    const tagged = ref('team/idx-tags:1.0');
    const tag = tagOf(index, '.att');
    const att = (await getManifest('team/idx-tags', tag)).json!;
    const provenance = att.layers.find((l) => l.annotations?.predicateType === PROVENANCE)!;
    const envelope = JSON.parse((await getBlob('team/idx-tags', provenance.digest)).toString('utf8'));
    const statement = Buffer.from(envelope.payload, 'base64').toString('utf8');
    envelope.payload = Buffer.from(statement.replace('"noTest":', '"noTest" :')).toString('base64');
    const changed = new TextEncoder().encode(JSON.stringify(envelope));
    const digest = await putBlob('team/idx-tags', changed);
    await putManifest('team/idx-tags', tag, {
      ...att,
      layers: att.layers.map((l) => (l === provenance ? { ...l, digest, size: changed.length } : l)),
    });
    const r1 = await cli('verify', tagged, '--key', 'ironclad.pub', '--require', 'provenance,sbom');
    assert.equal(r1.status, 3, r1.out + r1.err);
    assert.match(
      r1.err,
      new RegExp(
        `FAILED attestation ${PROVENANCE} on the index sha256:[0-9a-f]{64} via cosign tag ${tag} \\(bad signature\\)`,
      ),
    );
    assert.match(r1.err, /index attestation provenance/);

    // Referrer form: the SPDX bundle of an index referrer.
    const bundled = ref('team/idx-referrers:1.0');
    const spdx = (await referrers('team/idx-referrers', index)).find((d) => d.annotations?.[PREDICATE_TYPE] === SPDX)!;
    const manifest = await getManifest('team/idx-referrers', spdx.digest);
    const restore = await corruptBlob(manifest.json!.layers[0]!.digest);
    try {
      const r2 = await cli('verify', bundled, '--key', 'ironclad.pub', '--require', 'sbom', '--format', 'json');
      assert.equal(r2.status, 3, r2.out + r2.err);
      const failed = (JSON.parse(r2.out) as { entries: Entry[] }).entries.filter((e) => !e.ok);
      assert.deepEqual(
        // The bundle cannot be read, so what it claimed to be is unknown; the referrer is named.
        failed.map((e) => [e.subject, e.form, e.kind, e.referrer, e.reason]),
        [[index, 'referrer', 'unknown', spdx.digest, 'corrupt blob']],
      );
      const r3 = await cli('verify', bundled, '--key', 'ironclad.pub', '--require', 'sbom');
      assert.match(r3.err, new RegExp(`FAILED unknown on the index ${spdx.digest} \\(corrupt blob\\)`));
    } finally {
      await restore();
    }
  });

  test('copy --signature-format referrers --key turns tags-only signatures into verified referrers', async () => {
    const source = ref('team/tagsonly:1.0');
    assert.equal((await cli('push', 'fixture:1.0', source, '--signature-format', 'tags')).status, 0);
    assert.deepEqual(await referrers('team/tagsonly', index), [], 'the source has no OCI referrers');

    // Without the key the tags are left behind, and the copy says so.
    const plainArgs = ['--all-platforms', '--referrers', '--signature-format', 'referrers'];
    const plain = await cliWithWarnings('copy', source, ref('team/plain:1.0'), ...plainArgs);
    assert.equal(plain.status, 0, plain.err);
    assert.match(plain.err, /left behind/);
    const none = await cli('verify', ref('team/plain:1.0'), '--key', 'ironclad.pub');
    assert.equal(none.status, 3);

    const args = ['--all-platforms', '--referrers', '--signature-format', 'referrers', '--key', 'ironclad.pub'];
    const copied = await cli('copy', source, ref('team/converted:1.0'), ...args);
    assert.equal(copied.status, 0, copied.err);
    assert.equal((await getManifest('team/converted', tagOf(index, '.att'))).status, 404, 'no tags written');
    const types = (await referrers('team/converted', index)).map((d) => d.annotations?.[PREDICATE_TYPE]);
    for (const t of [PROVENANCE, SPDX, CYCLONEDX]) assert.ok(types.includes(t), `${t} converted`);
    const r = await cli('verify', ref('team/converted:1.0'), '--key', 'ironclad.pub', '--format', 'json');
    assert.equal(r.status, 0, r.out + r.err);
    const entries = (JSON.parse(r.out) as { entries: Entry[] }).entries;
    assert.ok(entries.length > 0 && entries.every((e) => e.form === 'referrer' && e.ok));
    // The converted referrers are those the build made: copying again, or from the build, adds none.
    const before = (await referrers('team/converted', index)).length;
    assert.equal((await cli('copy', source, ref('team/converted:1.0'), ...args)).status, 0);
    assert.equal((await referrers('team/converted', index)).length, before);

    // Another key cannot vouch for them: nothing is copied as a referrer on a guess (exit 3, naming them).
    const wrong = await cli('copy', source, ref('team/refused:1.0'), ...args.slice(0, -1), 'other.pub');
    assert.equal(wrong.status, 3, wrong.err);
    assert.match(wrong.err, /not converted to referrers: .*wrong key|bad signature/);
    assert.equal(
      (await getManifest('team/refused', '1.0', OCI_INDEX)).status,
      404,
      'verified before anything is copied',
    );

    const usage = await cli('copy', source, ref('team/x:1.0'), '--key', 'ironclad.pub');
    assert.equal(usage.status, 2);
  });

  test('sign --identity records the name the image will be pulled as in the simple-signing payload', async () => {
    const image = ref('team/ident:1.0');
    assert.equal((await cli('push', 'fixture:1.0', image, '--no-referrers')).status, 0);
    const args = ['--key', 'ironclad.key', '--signature-format', 'tags', '--format', 'json'];
    const signed = await cli('sign', image, ...args, '--identity', 'registry.example.com/team/python');
    assert.equal(signed.status, 0, signed.err);
    assert.equal(JSON.parse(signed.out).identity, 'registry.example.com/team/python');
    const sig = (await getManifest('team/ident', tagOf(index, '.sig'))).json!;
    const payload = JSON.parse((await getBlob('team/ident', sig.layers[0]!.digest)).toString('utf8'));
    assert.equal(payload.critical.identity['docker-reference'], 'registry.example.com/team/python');
    const verified = await cli('verify', image, '--key', 'ironclad.pub', '--require', 'none');
    assert.equal(verified.status, 0, verified.out + verified.err);
    for (const bad of ['registry.example.com/team/python:3.11', 'Team/Python', `team/python@${index}`]) {
      const r = await cli('sign', image, ...args, '--identity', bad);
      assert.equal(r.status, 2, bad);
    }
  });
});
