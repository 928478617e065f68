import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { fail, isIroncladError } from '../core/index.ts';
import {
  buildManifest,
  type Descriptor,
  type Digest,
  digestHex,
  digestOf,
  EMPTY_DESCRIPTOR,
  parseManifest,
} from '../oci/index.ts';
import type { BuildCompression } from './layer-cache.ts';
import { DIFF_ID_ANNOTATION, messageOf, type SharedLayers, storeArtifact } from './shared-layers.ts';

/**
 * Claims: how workers sharing layers through one repository (`build --cache-from`) agree on who compresses a
 * layer none of them has shared yet, using nothing but tags (a plain distribution registry has no lock and no
 * conditional write; the workers may be on different machines).
 *
 * A worker that misses the layer's tag reads the claim tag `claim-<compression>-<diffId hex>`. When another
 * worker's live claim is there, it polls the layer tag until the layer appears and uses it (verified as any shared
 * layer). Otherwise it writes its own claim (a small manifest made unique by a random id, dated), waits
 * `settleMs`, and reads the tag back: the worker whose claim the tag names compresses, after a last look at the
 * layer tag; a worker whose claim was overwritten waits for the one whose was not. The holder re-dates its claim
 * every lease/3 while it works and, once the layer is shared, deletes it (or, where the registry refuses
 * deletes, marks it released), so waiters go on at once even when sharing failed.
 *
 * Race window. Tags are last-writer-wins, so two workers both compress only if one reads "no claim" before the
 * other's claim has landed and its own claim then lands more than `settleMs` after the other's claim (after the
 * other read its claim back as the winner). Between a worker's read and its write there is one request, so that
 * takes a stall of the whole settle time (1 s by default) at exactly that moment; two builds started at once,
 * with a registry that answers in milliseconds, do not double a compression in practice. A lease (60 s, counted
 * from the claim's date and from when this worker first saw it, so neither a skewed clock nor a dead worker holds
 * anyone forever) lets a waiter take over a claim nobody refreshes. Whatever goes wrong costs time only: a
 * doubled compression gives the same bytes (compression is deterministic), every shared layer is checked by digest
 * and diffId before use, and a registry failure here is a warning after which the worker compresses itself.
 */

/** The artifact type of a claim manifest. */
export const LAYER_CLAIM_ARTIFACT = 'application/vnd.dev.ironclad.layer-claim.v1';
const CLAIM_ID_ANNOTATION = 'dev.ironclad.claim.id';
const CLAIM_TIME_ANNOTATION = 'dev.ironclad.claim.time';
const CLAIM_RELEASED_ANNOTATION = 'dev.ironclad.claim.released';

/** How claims behave in time. */
export interface ClaimTiming {
  /** How long a worker waits between writing its claim and reading the tag back (the race window above). */
  readonly settleMs: number;
  /** How often a waiting worker looks for the layer. */
  readonly pollMs: number;
  /** How long a claim nobody re-dates holds; its holder re-dates it every lease/3. */
  readonly leaseMs: number;
}

/** Claims written but not read back (the tag missing or released) before a worker gives up on claims. */
const UNSEEN_ROUNDS = 3;

export const DEFAULT_CLAIM_TIMING: ClaimTiming = { settleMs: 1000, pollMs: 250, leaseMs: 60_000 };

/** The tag of the claim on the layer `diffId` in `compression`. */
export function claimTag(diffId: Digest, compression: BuildCompression): string {
  return `claim-${compression}-${digestHex(diffId)}`;
}

/** A claim this worker holds; `release` stops re-dating it and removes it (never throws). */
export interface HeldClaim {
  release(): Promise<void>;
}

/** What a worker that found no shared layer does: use the one another worker shared, or compress. */
export type LayerTurn<L> =
  | { readonly kind: 'shared'; readonly layer: L }
  | { readonly kind: 'compress'; readonly claim?: HeldClaim };

interface ClaimSeen {
  readonly descriptor: Descriptor;
  /** The claim's date (ms), NaN when it has none. */
  readonly time: number;
  readonly released: boolean;
}

/**
 * Waits for this worker's turn on the layer `diffId`: `shared` with what `lookup` found once another worker
 * shared it, or `compress` (holding the claim, to be released after sharing; without one when the repository
 * could not be used for claims, which is warned).
 */
export async function awaitLayerTurn<L>(
  shared: SharedLayers,
  diffId: Digest,
  compression: BuildCompression,
  lookup: () => Promise<L | undefined>,
): Promise<LayerTurn<L>> {
  const claims = claimsOf(shared, diffId, compression);
  const t = { ...DEFAULT_CLAIM_TIMING, ...shared.timing };
  let watched: { readonly digest: Digest; readonly since: number } | undefined;
  let unseen = 0;
  try {
    for (;;) {
      const claim = await claims.read();
      const now = shared.now().getTime();
      if (claim !== undefined && !claim.released) {
        if (watched?.digest !== claim.descriptor.digest) watched = { digest: claim.descriptor.digest, since: now };
        // A claim without a readable date is judged by how long it has been seen alone.
        const dated = Number.isNaN(claim.time) ? now : claim.time;
        if (now - dated < t.leaseMs && now - watched.since < t.leaseMs) {
          await sleep(t.pollMs, undefined, { signal: shared.signal });
          const layer = await lookup();
          if (layer !== undefined) return { kind: 'shared', layer };
          continue;
        }
        shared.log.debug(`shared layers: claim on ${diffId} outlived its lease; taking it over`);
      }
      const mine = await claims.write(false);
      await sleep(t.settleMs, undefined, { signal: shared.signal });
      const back = await claims.read();
      if (back?.descriptor.digest !== mine.digest) {
        // Another worker's claim landed last: wait for it. A repository that never shows a claim written to it
        // cannot coordinate anything.
        if ((back === undefined || back.released) && ++unseen >= UNSEEN_ROUNDS)
          fail('REGISTRY_UNAVAILABLE', `${shared.repo.display} does not show the claims written to it`);
        continue;
      }
      const layer = await lookup(); // shared while this worker was claiming
      if (layer !== undefined) {
        await claims.release(mine);
        return { kind: 'shared', layer };
      }
      shared.log.debug(`shared layers: compressing ${diffId} (claimed)`);
      return { kind: 'compress', claim: hold(claims, mine, t.leaseMs / 3) };
    }
  } catch (err) {
    if (shared.signal?.aborted === true) throw err;
    shared.log.warn(`shared layers: cannot claim ${diffId} in ${shared.repo.display}: ${messageOf(err)}; compressing`);
    return { kind: 'compress' };
  }
}

/** Keeps a claim dated while its holder works, until released. */
function hold(claims: Claims, first: Descriptor, everyMs: number): HeldClaim {
  let current = first;
  let beat: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    beat = beat
      .then(async () => {
        const previous = current;
        current = await claims.write(false);
        await claims.remove(previous);
      })
      .catch(() => {}); // a missed re-dating only shortens the lease others give this claim
  }, everyMs);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await beat;
      await claims.release(current);
    },
  };
}

interface Claims {
  /** The claim the tag names, undefined when there is none. */
  read(): Promise<ClaimSeen | undefined>;
  /** Writes a new claim (or a released marker) under the tag. */
  write(released: boolean): Promise<Descriptor>;
  /** Deletes a claim manifest (and the tag when it names it), when the repository allows; true when it did. */
  remove(claim: Descriptor): Promise<boolean>;
  /** Removes this worker's claim, or marks it released where deletes are refused. Never throws. */
  release(claim: Descriptor): Promise<void>;
}

function claimsOf(shared: SharedLayers, diffId: Digest, compression: BuildCompression): Claims {
  const tag = claimTag(diffId, compression);
  const claims: Claims = {
    async read() {
      let found: { bytes: Uint8Array; mediaType: string };
      try {
        found = await shared.repo.store.readManifest(tag);
      } catch (err) {
        if (isIroncladError(err, 'NOT_FOUND')) return undefined;
        throw err;
      }
      const parsed = parseManifest(found.bytes, found.mediaType, `layer claim ${tag}`);
      const annotations = parsed.kind === 'manifest' ? (parsed.manifest.annotations ?? {}) : {};
      const descriptor = { mediaType: parsed.mediaType, digest: digestOf(found.bytes), size: found.bytes.length };
      // Anything but a claim on this layer under the tag is no claim.
      const ours =
        parsed.kind === 'manifest' &&
        parsed.manifest.artifactType === LAYER_CLAIM_ARTIFACT &&
        annotations[DIFF_ID_ANNOTATION] === diffId;
      const time = Date.parse(annotations[CLAIM_TIME_ANNOTATION] ?? '');
      return { descriptor, time, released: !ours || annotations[CLAIM_RELEASED_ANNOTATION] === 'true' };
    },
    async write(released) {
      const manifest = buildManifest({
        artifactType: LAYER_CLAIM_ARTIFACT,
        config: EMPTY_DESCRIPTOR,
        layers: [EMPTY_DESCRIPTOR],
        annotations: {
          [DIFF_ID_ANNOTATION]: diffId,
          [CLAIM_ID_ANNOTATION]: randomBytes(16).toString('hex'),
          [CLAIM_TIME_ANNOTATION]: shared.now().toISOString(),
          ...(released && { [CLAIM_RELEASED_ANNOTATION]: 'true' }),
        },
      });
      await storeArtifact(shared, [], manifest, tag);
      return manifest.descriptor;
    },
    async remove(claim) {
      const writer = shared.repo.requireWriter();
      if (writer.deleteManifest === undefined) return false;
      try {
        await writer.deleteManifest(claim);
        return true;
      } catch (err) {
        shared.log.debug(`shared layers: cannot delete claim ${claim.digest} (${messageOf(err)})`);
        return false;
      }
    },
    async release(claim) {
      try {
        if (await claims.remove(claim)) return;
        // Only while the tag still names this claim: a newer one is another worker's.
        if ((await claims.read())?.descriptor.digest === claim.digest) await claims.write(true);
      } catch (err) {
        shared.log.warn(`shared layers: cannot release claim ${tag} in ${shared.repo.display}: ${messageOf(err)}`);
      }
    },
  };
  return claims;
}
