import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createContext, DEFAULT_NETWORK_POLICY, silentLogger } from '../../src/core/index.ts';
import { awaitLayerTurn, type ClaimTiming, claimTag, LAYER_CLAIM_ARTIFACT } from '../../src/image/layer-claims.ts';
import type { SharedLayers } from '../../src/image/shared-layers.ts';
import {
  type Digest,
  digestOf,
  type ImageEndpoint,
  layoutEndpoint,
  openEndpoint,
  parseManifest,
} from '../../src/oci/index.ts';
import { registryAccess, registryTransport } from '../../src/registry/index.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

// Claims between workers, against the real docker-registry (delete enabled) and an OCI layout (no delete).

const FAST: ClaimTiming = { settleMs: 50, pollMs: 20, leaseMs: 60_000 };

describe('layer claims', () => {
  let registry: RegistryServer;
  let dir: string;
  before(async () => {
    registry = await startRegistry();
    dir = await mkdtemp(join(tmpdir(), 'ironclad-claims-'));
  });
  after(async () => {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  });

  let n = 0;
  /** A fresh layer id per test, so tests do not see each other's claims. */
  const layer = (): Digest => digestOf(`layer ${n++}`);
  const repo = (name: string): ImageEndpoint => {
    const ctx = createContext({ home: join(dir, 'home') });
    return openEndpoint(
      { kind: 'registry', host: registry.host, repo: name },
      { registry: registryTransport(registryAccess({ home: ctx.home, env: {} }, ctx)) },
    );
  };
  const worker = (where: ImageEndpoint, timing: Partial<ClaimTiming> = FAST, now = () => new Date()): SharedLayers => ({
    repo: where,
    log: silentLogger,
    now,
    timing,
  });
  const nothing = async () => undefined;

  test('a worker waits for the claim holder’s layer, then the holder’s release removes the claim', async () => {
    const where = repo('claims');
    const d = layer();
    const holder = await awaitLayerTurn(worker(where), d, 'gzip', nothing);
    assert.equal(holder.kind, 'compress');
    assert.ok(holder.kind === 'compress' && holder.claim !== undefined);
    let shared = false;
    const waiting = awaitLayerTurn(worker(where), d, 'gzip', async () => (shared ? 'the layer' : undefined));
    await sleep(200);
    shared = true;
    assert.deepEqual(await waiting, { kind: 'shared', layer: 'the layer' });
    await holder.claim.release();
    await assert.rejects(where.store.readManifest(claimTag(d, 'gzip')), { code: 'NOT_FOUND' });
  });

  test('a claim nobody re-dates is taken over once it outlives the lease', async () => {
    const where = repo('claims');
    const d = layer();
    const dead = await awaitLayerTurn(worker(where), d, 'gzip', nothing); // never released, never re-dated in time
    assert.ok(dead.kind === 'compress' && dead.claim !== undefined);
    const next = await awaitLayerTurn(worker(where, { ...FAST, leaseMs: 300 }), d, 'gzip', nothing);
    assert.ok(next.kind === 'compress' && next.claim !== undefined, 'the waiter took the claim over');
    // The old holder's release deletes only its own claim, not the one now under the tag.
    await dead.claim.release();
    const { bytes, mediaType } = await where.store.readManifest(claimTag(d, 'gzip'));
    const m = parseManifest(bytes, mediaType);
    assert.ok(m.kind === 'manifest' && m.manifest.artifactType === LAYER_CLAIM_ARTIFACT);
    await next.claim.release();
  });

  test('a claim dated more than a lease ago (by its own date) is taken over at once', async () => {
    const where = repo('claims');
    const d = layer();
    const past = await awaitLayerTurn(
      worker(where, FAST, () => new Date(Date.now() - 120_000)),
      d,
      'gzip',
      nothing,
    );
    assert.ok(past.kind === 'compress' && past.claim !== undefined);
    const next = await awaitLayerTurn(worker(where), d, 'gzip', nothing);
    assert.ok(next.kind === 'compress' && next.claim !== undefined);
    await next.claim.release();
    // A held claim is re-dated until released: left held, it would go on writing to the registry after the
    // tests stopped it, and keep the test process alive.
    await past.claim.release();
  });

  test('in an OCI layout (no deletes) a release marks the claim released, and the next worker claims at once', async () => {
    const where = layoutEndpoint(join(dir, 'layout'));
    const d = layer();
    const first = await awaitLayerTurn(worker(where), d, 'gzip', nothing);
    assert.ok(first.kind === 'compress' && first.claim !== undefined);
    await first.claim.release();
    const { bytes, mediaType } = await where.store.readManifest(claimTag(d, 'gzip'));
    const m = parseManifest(bytes, mediaType);
    assert.equal(m.kind === 'manifest' && m.manifest.annotations?.['dev.ironclad.claim.released'], 'true');
    const second = await awaitLayerTurn(worker(where), d, 'gzip', nothing);
    assert.ok(second.kind === 'compress' && second.claim !== undefined);
    await second.claim.release();
  });

  test('a repository that cannot hold claims is a warning: the worker compresses', async () => {
    const warnings: string[] = [];
    // Nothing listens on port 1; one try only, so the test does not sit through the retries.
    const ctx = createContext({ home: join(dir, 'home') });
    const oneTry = { ...ctx, network: { ...DEFAULT_NETWORK_POLICY, attempts: 1 } };
    const down = openEndpoint(
      { kind: 'registry', host: '127.0.0.1:1', repo: 'nowhere' },
      { registry: registryTransport(registryAccess({ home: ctx.home, env: {} }, oneTry)) },
    );
    const turn = await awaitLayerTurn(
      { ...worker(down), log: { ...silentLogger, warn: (m) => warnings.push(m) } },
      layer(),
      'gzip',
      nothing,
    );
    assert.deepEqual(turn, { kind: 'compress' });
    assert.equal(warnings.length, 1);
  });
});
