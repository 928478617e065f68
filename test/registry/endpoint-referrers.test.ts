import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { serializeBundle } from '../../src/attest/bundle.ts';
import { attestationReferrer } from '../../src/attest/referrer.ts';
import { createContext } from '../../src/core/context.ts';
import { Home, isIroncladError } from '../../src/core/index.ts';
import { cosignTag } from '../../src/oci/cosign-tags.ts';
import {
  buildIndex,
  COSIGN_SIGNATURE_SUFFIX,
  type Descriptor,
  MAX_MANIFEST_BYTES,
  openEndpoint,
  parseImageRef,
  REF_NAME_ANNOTATION,
  type Referrers,
} from '../../src/oci/index.ts';
import { createRegistryClient, type RegistryClient } from '../../src/registry/client.ts';
import { registryAccess, registryTransport } from '../../src/registry/index.ts';
import { pushManifest } from '../../src/registry/referrers.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

const TYPE = 'https://example.com/predicate/v1';
const REPO = 'team/app';

describe('the referrers of a registry endpoint, against a real registry', () => {
  let registry: RegistryServer;
  let work: string;
  let client: RegistryClient;
  let sink: Referrers;
  /** An (empty) image index pushed as `REPO:v1`: the subject of the referrers below. */
  let subject: Descriptor;

  before(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'ironclad-referrer-sink-'));
    client = createRegistryClient({ host: registry.host }, createContext({ home: work }));
    const access = registryAccess({ home: new Home(work), env: {} }, createContext({ home: work }));
    sink = openEndpoint(parseImageRef(`docker://${registry.host}/${REPO}:v1`), {
      home: new Home(work),
      registry: registryTransport(access),
    }).referrers;
    const index = buildIndex({ manifests: [] });
    await pushManifest(client, REPO, 'v1', index.bytes, index.descriptor.mediaType);
    subject = index.descriptor;
  });
  after(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('attach is idempotent; the referrer is listed once and its manifest and blobs read back', async () => {
    const envelope = {
      payloadType: 'text/plain',
      payload: new Uint8Array([1]),
      signatures: [{ keyid: 'k', sig: new Uint8Array([2]) }],
    };
    const bundle = serializeBundle({ kind: 'dsse', keyHint: 'k', envelope });
    const artifact = attestationReferrer(bundle, subject, TYPE);
    const first = await sink.attach(artifact);
    const second = await sink.attach(artifact);
    assert.equal(second.digest, first.digest);

    const listed = (await sink.list(subject.digest)).filter((d) => d.digest === first.digest);
    assert.equal(listed.length, 1);
    const manifestBytes = await sink.readBlob(listed[0]!, MAX_MANIFEST_BYTES);
    const manifest = JSON.parse(Buffer.from(manifestBytes).toString()) as { layers: Descriptor[] };
    assert.deepEqual(Buffer.from(await sink.readBlob(manifest.layers[0]!, 1024)), Buffer.from(bundle));
  });

  test("cosign's .sig and .att tags are listed after the referrers, annotated with their tags", async () => {
    const tag = cosignTag(subject.digest, COSIGN_SIGNATURE_SUFFIX);
    const sig = buildIndex({ manifests: [], annotations: { note: 'stand-in for a cosign signature manifest' } });
    await pushManifest(client, REPO, tag, sig.bytes, sig.descriptor.mediaType);
    const listed = await sink.list(subject.digest);
    // The referrers first, then the .sig tag and the .att tag the attestation above was also stored in.
    const tagged = listed.filter((d) => d.annotations?.[REF_NAME_ANNOTATION] !== undefined);
    assert.equal(listed.indexOf(tagged[0]!), listed.length - 2);
    assert.equal(tagged[0]?.digest, sig.descriptor.digest);
    assert.deepEqual(
      tagged.map((d) => d.annotations?.[REF_NAME_ANNOTATION]),
      [tag, cosignTag(subject.digest, '.att')],
    );
  });

  test('readBlob rejects a descriptor the bytes do not match, and one over the size limit', async () => {
    await assert.rejects(sink.readBlob({ ...subject, size: subject.size + 1 }, MAX_MANIFEST_BYTES), (err) =>
      isIroncladError(err, 'DIGEST_MISMATCH'),
    );
    await assert.rejects(sink.readBlob(subject, subject.size - 1), (err) => isIroncladError(err, 'INVALID_INPUT'));
  });
});
