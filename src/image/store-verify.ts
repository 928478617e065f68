import { rm } from 'node:fs/promises';
import { fail, type StageContext } from '../core/index.ts';
import {
  type BlobProblem,
  checkImageBlobs,
  corruptLayoutBlobs,
  type Digest,
  LayoutStore,
  layoutBlobStore,
  REF_NAME_ANNOTATION,
} from '../oci/index.ts';

/** One index.json entry of the store (a tagged image, or a referrer) and what is wrong with the blobs it reaches. */
export interface StoreEntryReport {
  /** The tag, or `referrer of <digest>` / the digest for untagged entries. */
  readonly ref: string;
  readonly digest: Digest;
  readonly ok: boolean;
  readonly problems: readonly BlobProblem[];
}

export interface StoreVerifyReport {
  readonly ok: boolean;
  readonly store: string;
  /** Blob files hashed, and those whose content does not match their name. */
  readonly blobs: { readonly checked: number; readonly corrupt: readonly Digest[] };
  readonly entries: readonly StoreEntryReport[];
  /** With `repair`: corrupt blobs removed (a later build or pull writes them again). */
  readonly removed: readonly Digest[];
}

/**
 * `ironclad store verify` (fsck): hashes every blob file of the local store against its name, then walks every
 * index.json entry (tags and referrers) down to its layers, listing missing and corrupt blobs per entry. With
 * `repair`, corrupt blobs are deleted: a corrupt blob is worth nothing, and once it is gone `build` (for what it
 * builds) and `pull` (for what a registry has) write it again instead of keeping the broken file. Nothing can be
 * re-fetched here: the store does not remember where a blob came from.
 * @throws IroncladError NOT_FOUND without a store; INVALID_INPUT when index.json cannot be read.
 */
export async function verifyStore(ctx: StageContext, opts: { repair?: boolean } = {}): Promise<StoreVerifyReport> {
  const dir = ctx.home.store;
  const store = await LayoutStore.open(dir).catch((cause: unknown) =>
    fail('NOT_FOUND', `no local store at ${dir}`, { cause, hint: 'build or pull an image first' }),
  );
  ctx.log.progress('hashing store blobs');
  const blobs = await corruptLayoutBlobs(store);
  const index = await store.readIndex();
  const reader = layoutBlobStore(store);
  const entries: StoreEntryReport[] = [];
  for (const entry of index.manifests) {
    const result = await checkImageBlobs(reader, entry, { deep: true });
    const tag = entry.annotations?.[REF_NAME_ANNOTATION];
    const subject = await store.subjectOf(entry).catch(() => null);
    const ref = tag ?? (subject !== null ? `referrer of ${subject}` : entry.digest);
    entries.push({ ref, digest: entry.digest, ok: result.problems.length === 0, problems: result.problems });
  }
  const removed: Digest[] = [];
  if (opts.repair === true) {
    for (const d of blobs.corrupt) {
      await rm(store.blobPath(d), { force: true });
      removed.push(d);
    }
  }
  const ok = blobs.corrupt.length === 0 && entries.every((e) => e.ok);
  return { ok, store: dir, blobs, entries, removed };
}
