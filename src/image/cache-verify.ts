import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Home, type StageContext, sha256File } from '../core/index.ts';
import { cachePath, readDeb } from '../debian/index.ts';
import { type Digest, digestHex, LayoutStore } from '../oci/index.ts';
import { DEB_BYTES_KIND, DEB_CONTENTS_FORMAT, DEB_CONTENTS_KIND, payloadMatchesDeb } from './deb-cache.ts';
import { cacheSecret, type EntryIdentity, entryPath, listEntries, openEntry } from './derived-cache.ts';
import { checkLayerBlob, LAYERS_FORMAT, LAYERS_KIND, ZSTD_LAYERS_FORMAT, ZSTD_LAYERS_KIND } from './layer-cache.ts';
import { LAYER_KEYS_KIND, layerKeysFormat, parseKnownLayer, ZSTD_LAYER_KEYS_KIND } from './layer-keys.ts';
import { RESOLUTIONS_FORMAT, RESOLUTIONS_KIND } from './resolution-cache.ts';

/** How far an entry was checked: its seal only, or re-derived from (or checked against) its verified input. */
export type CacheCheck = 'sealed' | 're-derived';

export interface CacheEntryProblem {
  readonly kind: string;
  readonly key: string;
  readonly reason: string;
}

export interface CacheKindReport {
  readonly kind: string;
  readonly entries: number;
  /** Entries whose seal verified and which were also re-derived from their input and matched. */
  readonly reDerived: number;
  readonly bad: number;
}

export interface CacheVerifyReport {
  readonly ok: boolean;
  readonly kinds: readonly CacheKindReport[];
  /** Every bad entry (all removed), and stray files of other formats or older unsealed caches (removed too). */
  readonly problems: readonly CacheEntryProblem[];
}

/** The unsealed cache directories of earlier versions: never read any more, removed by `cache verify`. */
const LEGACY_DIRS = [/^deb-contents-v1-/, /^layers$/, /^resolutions$/];

/**
 * `ironclad cache verify`: checks every derived cache entry's seal and binding, and re-derives what it can from
 * the verified input: a parsed .deb from its .deb in the download cache (the check the build skips for speed), a
 * layer entry by decompressing its blob in the local store to the diffId; a layer key's blob must decompress to
 * the diffId it records. Bad entries are removed (they would be
 * rebuilt on next use anyway); so are entries of other formats and the unsealed caches of earlier versions.
 */
export async function verifyCaches(ctx: StageContext): Promise<CacheVerifyReport> {
  const problems: CacheEntryProblem[] = [];
  const store = await LayoutStore.open(ctx.home.store).catch(() => undefined);
  const secret = await cacheSecret(ctx.home);
  const kinds: CacheKindReport[] = [];
  const checkers: [string, string, (payload: Uint8Array, key: string) => Promise<string | CacheCheck>][] = [
    [DEB_CONTENTS_KIND, DEB_CONTENTS_FORMAT, (p, key) => checkDebContents(ctx.home, secret, key, p)],
    // Builds read these without their seal, each file checked against the metadata's digests; here the seal too.
    [DEB_BYTES_KIND, DEB_CONTENTS_FORMAT, async () => 'sealed' as const],
    [LAYERS_KIND, LAYERS_FORMAT, (p, key) => checkLayerEntry(store, key, p)],
    [ZSTD_LAYERS_KIND, ZSTD_LAYERS_FORMAT, (p, key) => checkLayerEntry(store, key, p)],
    [LAYER_KEYS_KIND, layerKeysFormat(LAYERS_FORMAT), (p) => checkLayerKey(store, p)],
    [ZSTD_LAYER_KEYS_KIND, layerKeysFormat(ZSTD_LAYERS_FORMAT), (p) => checkLayerKey(store, p)],
    [RESOLUTIONS_KIND, RESOLUTIONS_FORMAT, async () => 'sealed' as const],
  ];
  for (const [kind, format, check] of checkers) {
    ctx.log.progress(`verifying ${kind} cache`);
    let reDerived = 0;
    let bad = 0;
    const entries = await listEntries(ctx.home, kind, format);
    for (const [key, path] of entries) {
      const verdict = await checkEntry(await readFile(path), { kind, format, key }, secret, check);
      if (verdict === 're-derived') reDerived++;
      if (verdict === 'sealed' || verdict === 're-derived') continue;
      bad++;
      problems.push({ kind, key, reason: verdict });
      await rm(path, { force: true });
    }
    kinds.push({ kind, entries: entries.size, reDerived, bad });
  }
  problems.push(...(await removeStrays(ctx.home, new Map(checkers.map(([k, f]) => [k, f])))));
  return { ok: problems.length === 0, kinds, problems };
}

async function checkEntry(
  bytes: Uint8Array,
  id: EntryIdentity,
  secret: Uint8Array,
  check: (payload: Uint8Array, key: string) => Promise<string | CacheCheck>,
): Promise<string | CacheCheck> {
  const opened = openEntry(bytes, id, secret);
  if (!opened.ok) return opened.reason;
  try {
    return await check(opened.payload, id.key);
  } catch (err) {
    return `cannot be checked: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * Re-reads the .deb (when the download cache holds it, verified by its sha256) and compares it with the metadata
 * and the bytes entry beside it (whose seal must verify too).
 */
async function checkDebContents(
  home: Home,
  secret: Uint8Array,
  sha256: string,
  metadata: Uint8Array,
): Promise<string | CacheCheck> {
  const path = cachePath(home, sha256);
  const present = await sha256File(path).catch(() => undefined);
  if (present?.hex !== sha256) return 'sealed';
  const id = { kind: DEB_BYTES_KIND, format: DEB_CONTENTS_FORMAT, key: sha256 };
  const sealed = await readFile(entryPath(home, id)).catch(() => undefined);
  const bytes = sealed === undefined ? undefined : openEntry(sealed, id, secret);
  if (!bytes?.ok) return `its file bytes: ${bytes?.reason ?? 'missing'}`;
  const payload = { metadata, bytes: bytes.payload };
  return payloadMatchesDeb(payload, await readDeb(path)) ? 're-derived' : 'differs from what its verified .deb gives';
}

async function checkLayerEntry(
  store: LayoutStore | undefined,
  diffHex: string,
  payload: Uint8Array,
): Promise<string | CacheCheck> {
  const entry = JSON.parse(new TextDecoder().decode(payload)) as { descriptor: { digest: Digest; size: number } };
  if (store === undefined || !(await store.hasBlob(entry.descriptor.digest))) return 'sealed';
  const verdict = await checkLayerBlob(
    () => store.openBlob(entry.descriptor.digest),
    { mediaType: '', ...entry.descriptor },
    `sha256:${diffHex}` as Digest,
  );
  if (verdict === 'other-layer') return `blob ${entry.descriptor.digest} holds another layer`;
  // A corrupt blob is the store's problem (`ironclad store verify`); the entry itself is right.
  return verdict === 'ok' ? 're-derived' : 'sealed';
}

/**
 * A layer key names the layer of entries it cannot be given back, so it is not re-derived: its blob, when the
 * local store holds it, must decompress to the diffId the entry records.
 */
async function checkLayerKey(store: LayoutStore | undefined, payload: Uint8Array): Promise<string | CacheCheck> {
  const entry = parseKnownLayer(payload);
  if (entry === undefined) return 'payload is not a layer';
  return checkLayerEntry(store, digestHex(entry.diffId), payload).then((v) => (v === 're-derived' ? 'sealed' : v));
}

/** Entries of formats no longer written, and the unsealed caches of earlier versions. */
async function removeStrays(home: Home, current: ReadonlyMap<string, string>): Promise<CacheEntryProblem[]> {
  const out: CacheEntryProblem[] = [];
  const cache = home.cacheRoot;
  for (const name of await readdir(cache).catch(() => [] as string[])) {
    if (!LEGACY_DIRS.some((re) => re.test(name))) continue;
    out.push({ kind: name, key: '*', reason: 'unsealed cache of an earlier version' });
    await rm(join(cache, name), { recursive: true, force: true });
  }
  const derived = home.cache('derived');
  for (const kind of await readdir(derived).catch(() => [] as string[])) {
    for (const format of await readdir(join(derived, kind)).catch(() => [] as string[])) {
      if (current.get(kind) === format) continue;
      out.push({ kind, key: '*', reason: `entries of format ${format}, no longer used` });
      await rm(join(derived, kind, format), { recursive: true, force: true });
    }
  }
  return out;
}
