import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { fail, type Home, writeFileAtomic } from '../core/index.ts';
import type { Descriptor, LayoutStore } from '../oci/index.ts';
import { SEVERITIES } from '../vuln/index.ts';

/** The version of the history file format (one file per image name under the home's history/). */
export const HISTORY_SCHEMA = 'ironclad.history/v1';

/**
 * index.json annotation of the entries that keep a digest history references: such an entry has no tag, so
 * `images` does not list it, but garbage collection treats it as a root, so `rmi` never drops a published digest.
 */
export const HISTORY_PIN_ANNOTATION = 'dev.ironclad.history';

const MAX_HISTORY_BYTES = 16 * 1024 * 1024;

const vulnRef = z.object({ id: z.string(), severity: z.enum(SEVERITIES), source: z.string() });
const move = z.object({
  kind: z.enum(['upgraded', 'downgraded', 'rebuilt', 'added', 'removed']),
  name: z.string(),
  source: z.string(),
  from: z.string().optional(),
  to: z.string().optional(),
  suite: z.string().optional(),
  platforms: z.array(z.string()),
});
const entry = z.object({
  /** The tags that moved together (`name:tag` in the local store). */
  tags: z.array(z.string()).min(1),
  variant: z.string(),
  /** The index the tags point at from `at` on. */
  digest: z.string(),
  /** The index they pointed at before, or null when they are new. */
  previous: z.string().nullable(),
  at: z.string(),
  reason: z.enum(['lock-changed', 'not-built']),
  packages: z.array(move),
  /** Absent when there was no vulnerability database to ask. */
  fixed: z.array(vulnRef).optional(),
  introduced: z.array(vulnRef).optional(),
  /** The changelog referrer attached to `digest`. */
  changelog: z.string().optional(),
  /** For a customization rebuilt because its base moved: the base's tag and the digests it moved between. */
  base: z.object({ image: z.string(), from: z.string().nullable(), to: z.string() }).optional(),
});
const historyFile = z.object({ schema: z.literal(HISTORY_SCHEMA), name: z.string(), entries: z.array(entry) });

/** One move of an image's tags, oldest first in its file. */
export type HistoryEntry = z.infer<typeof entry>;
export type HistoryFile = z.infer<typeof historyFile>;

function historyPath(home: Home, name: string): string {
  // Image names may hold `/`; one flat file per name.
  return join(home.history, `${encodeURIComponent(name)}.json`);
}

/** The history of image `name` (every variant and tag); empty when nothing was recorded. @throws INVALID_INPUT. */
export async function readHistory(home: Home, name: string): Promise<HistoryFile> {
  const path = historyPath(home, name);
  const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (bytes === undefined) return { schema: HISTORY_SCHEMA, name, entries: [] };
  if (bytes.length > MAX_HISTORY_BYTES) fail('INVALID_INPUT', `${path} is larger than ${MAX_HISTORY_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    fail('INVALID_INPUT', `${path} is not JSON`, { cause, hint: 'restore it, or remove it to start a new history' });
  }
  const parsed = historyFile.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    fail('INVALID_INPUT', `${path} is not an image history (${where})`, { hint: 'restore it, or remove it' });
  }
  return parsed.data;
}

/** The newest entry that moved `tag`, if any. */
export function lastMove(history: HistoryFile, tag: string): HistoryEntry | undefined {
  return history.entries.findLast((e) => e.tags.includes(tag));
}

/**
 * Records a move: first pins `pins` (the stored indices it names: the previous one and the new one) in the store,
 * so no gc can drop them, then rewrites the history file atomically. Recording the same move again (same tags,
 * same digest as the newest entry for them) changes nothing, so a rerun after an interruption does not record it
 * twice.
 */
export async function recordMove(
  home: Home,
  store: LayoutStore,
  name: string,
  move: HistoryEntry,
  pins: readonly Descriptor[],
): Promise<void> {
  const history = await readHistory(home, name);
  for (const desc of pins) await pinDigest(store, name, desc);
  if (lastMove(history, move.tags[0] ?? '')?.digest === move.digest) return;
  const next: HistoryFile = { ...history, entries: [...history.entries, move] };
  await writeFileAtomic(historyPath(home, name), `${JSON.stringify(next, null, 2)}\n`);
}

/** Adds an untagged index.json entry for `desc` annotated with the image name, unless one exists. */
async function pinDigest(store: LayoutStore, name: string, desc: Descriptor): Promise<void> {
  const pinned = (m: Descriptor) => m.digest === desc.digest && m.annotations?.[HISTORY_PIN_ANNOTATION] === name;
  const pin: Descriptor = {
    mediaType: desc.mediaType,
    digest: desc.digest,
    size: desc.size,
    annotations: { [HISTORY_PIN_ANNOTATION]: name },
  };
  await store.updateIndex((ms) => (ms.some(pinned) ? ms : [...ms, pin]));
}

/**
 * Forgets the history of image `name`: removes its pins from the store and its history file. What nothing else
 * references goes at the next gc (`rmi` runs one).
 */
export async function forgetHistory(home: Home, store: LayoutStore, name: string): Promise<void> {
  await store.updateIndex((ms) => ms.filter((m) => m.annotations?.[HISTORY_PIN_ANNOTATION] !== name));
  await rm(historyPath(home, name), { force: true });
}
