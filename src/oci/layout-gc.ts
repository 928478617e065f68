import { MAX_MANIFEST_BYTES, parseManifest } from './manifest.ts';
import { isIndexMediaType, isManifestMediaType } from './media-types.ts';
import type { Descriptor, Digest } from './types.ts';

/** What the mark phase needs from a layout (kept narrow so it is testable and cycle-free). */
export interface GcView {
  hasBlob(d: Digest): Promise<boolean>;
  readBlob(d: Digest, maxBytes: number): Promise<Uint8Array>;
  subjectOf(desc: Descriptor): Promise<Digest | null>;
}

/**
 * Mark phase of layout garbage collection.
 * Roots are index.json entries without a `subject`. Everything reachable from them is live: an index's
 * manifests, a manifest's config and layers. A referrer entry (one with a `subject`) is live when its subject
 * is live, checked until nothing changes, so signatures on an SBOM that refers to an image survive too.
 * Referrer entries whose subject is gone are dropped from `keptEntries` (entry order is preserved).
 */
export async function layoutGarbage(
  view: GcView,
  entries: readonly Descriptor[],
): Promise<{ live: Set<Digest>; keptEntries: Descriptor[] }> {
  const live = new Set<Digest>();
  const mark = async (desc: Descriptor): Promise<void> => {
    if (live.has(desc.digest)) return;
    live.add(desc.digest);
    const isDoc = isIndexMediaType(desc.mediaType) || isManifestMediaType(desc.mediaType);
    if (!isDoc || !(await view.hasBlob(desc.digest))) return;
    const parsed = parseManifest(await view.readBlob(desc.digest, MAX_MANIFEST_BYTES), desc.mediaType);
    const children =
      parsed.kind === 'index' ? parsed.index.manifests : [parsed.manifest.config, ...parsed.manifest.layers];
    for (const child of children) await mark(child);
  };
  const subjects = new Map<Descriptor, Digest | null>();
  for (const e of entries) subjects.set(e, await view.subjectOf(e));
  for (const e of entries) if (subjects.get(e) === null) await mark(e);
  const kept = new Set(entries.filter((e) => subjects.get(e) === null));
  let changed = true;
  while (changed) {
    changed = false;
    for (const e of entries) {
      const subject = subjects.get(e);
      if (kept.has(e) || subject == null || !live.has(subject)) continue;
      kept.add(e);
      await mark(e);
      changed = true;
    }
  }
  return { live, keptEntries: entries.filter((e) => kept.has(e)) };
}
