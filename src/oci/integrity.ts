import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isIroncladError } from '../core/index.ts';
import { isDigest } from './digest.ts';
import type { LayoutStore } from './layout.ts';
import { parseManifest } from './manifest.ts';
import { isIndexMediaType, isManifestMediaType } from './media-types.ts';
import type { BlobStore, Descriptor, Digest } from './types.ts';
import { verifyBytes, verifyingStream } from './verify.ts';

/**
 * Digest checks over the blobs an image is made of: what `verify` vouches for and `store verify` walks. A
 * signature covers a manifest digest; it says nothing about the bytes a store holds under that digest, so those
 * are hashed again here rather than trusted from the file name.
 */

/** One blob that is not what its digest says. */
export interface BlobProblem {
  readonly digest: Digest;
  /** `index`, `manifest`, `config`, `layer`, or `blob` (found by walking the blob directory). */
  readonly role: string;
  readonly problem: 'missing' | 'corrupt';
  readonly detail: string;
}

export interface IntegrityOptions {
  /** Also hash every layer blob (`--deep`); without it, indexes, manifests and configs only. */
  readonly deep?: boolean;
}

export interface IntegrityResult {
  /** Blobs hashed and found intact. */
  readonly checked: number;
  readonly problems: readonly BlobProblem[];
}

/**
 * Walks `top` (an index or manifest) in `store`: every index and manifest, every config, and with `deep` every
 * layer, each hashed against its descriptor. Never throws for a missing or corrupt blob: it is listed.
 */
export async function checkImageBlobs(
  store: BlobStore,
  top: Descriptor,
  opts: IntegrityOptions = {},
): Promise<IntegrityResult> {
  const problems: BlobProblem[] = [];
  let checked = 0;
  const seen = new Set<Digest>();
  const visit = async (desc: Descriptor, role: string): Promise<void> => {
    if (seen.has(desc.digest)) return;
    seen.add(desc.digest);
    const isDoc = isIndexMediaType(desc.mediaType) || isManifestMediaType(desc.mediaType);
    if (!isDoc && role === 'layer' && opts.deep !== true) return;
    const outcome = isDoc ? await readDocument(store, desc) : await hashBlob(store, desc);
    if ('problem' in outcome) {
      problems.push({ digest: desc.digest, role: isDoc ? docRole(desc) : role, ...outcome });
      return;
    }
    checked++;
    if (!isDoc || outcome.bytes === undefined) return;
    const parsed = parseManifest(outcome.bytes, desc.mediaType, `${docRole(desc)} ${desc.digest}`);
    if (parsed.kind === 'index') {
      for (const m of parsed.index.manifests) if (isManifestMediaType(m.mediaType)) await visit(m, 'manifest');
    } else {
      await visit(parsed.manifest.config, 'config');
      for (const l of parsed.manifest.layers) await visit(l, 'layer');
    }
  };
  await visit(top, docRole(top));
  return { checked, problems };
}

function docRole(desc: Descriptor): string {
  return isIndexMediaType(desc.mediaType) ? 'index' : 'manifest';
}

type Outcome = { readonly bytes?: Uint8Array } | { readonly problem: BlobProblem['problem']; readonly detail: string };

async function readDocument(store: BlobStore, desc: Descriptor): Promise<Outcome> {
  try {
    const { bytes } = await store.readManifest(desc.digest);
    verifyBytes(bytes, desc, docRole(desc));
    return { bytes };
  } catch (err) {
    return failure(err);
  }
}

async function hashBlob(store: BlobStore, desc: Descriptor): Promise<Outcome> {
  try {
    const stream = (await store.openBlob(desc)).pipe(verifyingStream(desc));
    for await (const _ of stream) {
      // Draining is the check: verifyingStream errors at end of stream on a size or digest mismatch.
    }
    return {};
  } catch (err) {
    return failure(err);
  }
}

function failure(err: unknown): Outcome {
  if (isIroncladError(err, 'NOT_FOUND')) return { problem: 'missing', detail: err.message };
  if (isIroncladError(err)) return { problem: 'corrupt', detail: err.message };
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { problem: 'missing', detail: 'no such blob' };
  return { problem: 'corrupt', detail: err instanceof Error ? err.message : String(err) };
}

/** Every file under `blobs/sha256/` of a layout whose content does not hash to its name. */
export async function corruptLayoutBlobs(store: LayoutStore): Promise<{ checked: number; corrupt: Digest[] }> {
  const corrupt: Digest[] = [];
  let checked = 0;
  for (const name of await readdir(join(store.dir, 'blobs', 'sha256')).catch(() => [] as string[])) {
    const d = `sha256:${name}`;
    if (!isDigest(d)) continue; // temp files of writers in progress
    checked++;
    if (!(await store.blobIntact(d))) corrupt.push(d);
  }
  return { checked, corrupt };
}
