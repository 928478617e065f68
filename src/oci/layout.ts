import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fail, sha256File, siblingTempPath, writeFileAtomic } from '../core/index.ts';
import { cosignTagSubject } from './cosign-tags.ts';
import { Digester, digestHex, isDigest } from './digest.ts';
import { layoutGarbage } from './layout-gc.ts';
import { withLayoutLock } from './layout-lock.ts';
import { type ImageIndex, MAX_MANIFEST_BYTES, parseManifest } from './manifest.ts';
import { buildIndex } from './manifest-build.ts';
import { MediaType } from './media-types.ts';
import { readAll } from './read-all.ts';
import type { Descriptor, Digest } from './types.ts';
import { forgetIntact, knownIntact, rememberIntact } from './verified-files.ts';

/** OCI image-layout.md: the annotation that names a tag on an index.json entry. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
const LAYOUT_FILE = 'oci-layout';
const LAYOUT_CONTENT = '{"imageLayoutVersion":"1.0.0"}';

/** A tag of the layout: its name and the descriptor (without the ref.name annotation). */
export interface LayoutTag {
  readonly name: string;
  readonly descriptor: Descriptor;
}

export interface GcResult {
  readonly removed: readonly Digest[];
  readonly freedBytes: number;
}

/**
 * An OCI image layout directory (image-layout.md): `oci-layout`, `index.json`, `blobs/sha256/<hex>`.
 *
 * Blobs are written to a temp file in the blob directory, fsynced, verified, then renamed into place, so a
 * blob path only ever holds complete, correct content. index.json changes go through one read-modify-write
 * under a lock (in-process queue plus a lock file) and are written atomically, so concurrent taggers do not
 * lose each other's tags. Tags are `org.opencontainers.image.ref.name` annotations on index.json entries;
 * referrer manifests are kept in index.json as untagged entries so they survive `gc()`.
 */
export class LayoutStore {
  readonly dir: string;
  /** Parsed `subject` of manifests by digest; content-addressed, so never invalid. */
  readonly #subjects = new Map<Digest, Digest | null>();

  private constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /**
   * Opens an existing layout; with `create`, creates the directory and layout files when missing.
   * @throws IroncladError NOT_FOUND when `dir` is not a layout and `create` is not set.
   */
  static async open(dir: string, opts: { readonly create?: boolean } = {}): Promise<LayoutStore> {
    const store = new LayoutStore(dir);
    const marker = await readFile(join(store.dir, LAYOUT_FILE), 'utf8').catch(() => undefined);
    if (marker === undefined) {
      if (opts.create !== true) {
        fail('NOT_FOUND', `${store.dir} is not an OCI image layout (no ${LAYOUT_FILE} file)`);
      }
      await mkdir(join(store.dir, 'blobs', 'sha256'), { recursive: true });
      await writeFileAtomic(join(store.dir, LAYOUT_FILE), LAYOUT_CONTENT);
      await store.#writeIndexIfMissing();
    } else {
      let version: unknown;
      try {
        version = (JSON.parse(marker) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
      } catch (cause) {
        fail('INVALID_INPUT', `${store.dir}/${LAYOUT_FILE} is not JSON`, { cause });
      }
      if (version !== '1.0.0') fail('INVALID_INPUT', `${store.dir}: unsupported image layout version ${version}`);
    }
    return store;
  }

  async #writeIndexIfMissing(): Promise<void> {
    const path = join(this.dir, 'index.json');
    if (await stat(path).catch(() => undefined)) return;
    await writeFileAtomic(path, buildIndex({ manifests: [] }).bytes);
  }

  /** Where a blob lives (whether or not it exists). */
  blobPath(d: Digest): string {
    return join(this.dir, 'blobs', 'sha256', digestHex(d));
  }

  async hasBlob(d: Digest): Promise<boolean> {
    return (await stat(this.blobPath(d)).catch(() => undefined))?.isFile() === true;
  }

  /**
   * Whether the blob is present and its bytes hash to its digest (and `size`, when given). Reads the whole blob.
   */
  async blobIntact(d: Digest, size?: number): Promise<boolean> {
    return this.#checkBlob(d, size, false);
  }

  /**
   * blobIntact, except that a blob this process hashed before and whose file is unchanged since (verified-files.ts)
   * is not read again: for the checks a build repeats on the layers it reuses.
   */
  async blobIntactKnown(d: Digest, size?: number): Promise<boolean> {
    return this.#checkBlob(d, size, true);
  }

  async #checkBlob(d: Digest, size: number | undefined, trustKnown: boolean): Promise<boolean> {
    const path = this.blobPath(d);
    const st = await stat(path, { bigint: true }).catch(() => undefined);
    if (st?.isFile() !== true || (size !== undefined && st.size !== BigInt(size))) return false;
    if (trustKnown && knownIntact(path, st, d)) return true;
    const hashedAt = Date.now();
    const { hex } = await sha256File(path);
    if (`sha256:${hex}` !== d) {
      forgetIntact(path);
      return false;
    }
    rememberIntact(path, st, d, hashedAt);
    return true;
  }

  /**
   * Stores a blob and returns its digest and size. With `expected`, the content must match it (else
   * DIGEST_MISMATCH and nothing is stored). An existing blob with the same digest is kept when its bytes verify
   * and replaced when they do not: a build or pull that can re-create a corrupt blob repairs the store.
   */
  async putBlob(
    data: Uint8Array | AsyncIterable<Uint8Array>,
    expected?: { readonly digest: Digest; readonly size: number },
  ): Promise<{ digest: Digest; size: number }> {
    if (expected !== undefined && (await this.blobIntact(expected.digest, expected.size))) {
      if ('destroy' in data && typeof data.destroy === 'function') data.destroy();
      return { digest: expected.digest, size: expected.size };
    }
    const tmp = siblingTempPath(join(this.dir, 'blobs', 'sha256', 'blob'));
    const digester = new Digester();
    const fh = await open(tmp, 'wx', 0o644);
    try {
      const chunks = data instanceof Uint8Array ? [data] : data;
      for await (const chunk of chunks) {
        digester.update(chunk);
        await fh.write(chunk);
      }
      await fh.sync();
    } catch (err) {
      await fh.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await fh.close();
    const digest = digester.digest();
    if (expected !== undefined && (digest !== expected.digest || digester.size !== expected.size)) {
      await rm(tmp, { force: true });
      fail('DIGEST_MISMATCH', `storing blob ${expected.digest}: got ${digester.size} bytes hashing to ${digest}`);
    }
    if (await this.blobIntact(digest, digester.size)) await rm(tmp, { force: true });
    else await rename(tmp, this.blobPath(digest));
    return { digest, size: digester.size };
  }

  /** The raw stored bytes of a blob, unverified; the caller consumes or destroys the stream. @throws NOT_FOUND. */
  async openBlob(d: Digest): Promise<Readable> {
    if (!(await this.hasBlob(d))) fail('NOT_FOUND', `blob ${d} is not in ${this.dir}`);
    return createReadStream(this.blobPath(d));
  }

  /** A blob in memory, unverified, with a size limit. @throws NOT_FOUND, INVALID_INPUT above the limit. */
  async readBlob(d: Digest, maxBytes: number): Promise<Uint8Array> {
    if (!(await this.hasBlob(d))) fail('NOT_FOUND', `blob ${d} is not in ${this.dir}`);
    return readAll(createReadStream(this.blobPath(d)), maxBytes, `blob ${d}`);
  }

  /** The current index.json. */
  async readIndex(): Promise<ImageIndex> {
    const bytes = await readFile(join(this.dir, 'index.json')).catch((cause) =>
      fail('INVALID_INPUT', `${this.dir} has no readable index.json`, { cause }),
    );
    const parsed = parseManifest(bytes, MediaType.OCI_INDEX, `${this.dir}/index.json`);
    if (parsed.kind !== 'index') fail('INVALID_INPUT', `${this.dir}/index.json is not an image index`);
    return parsed.index;
  }

  /** Applies `change` to index.json's entries under the lock; the result is written atomically. */
  async updateIndex(change: (manifests: readonly Descriptor[]) => readonly Descriptor[]): Promise<void> {
    await withLayoutLock(join(this.dir, 'index.json.lock'), async () => {
      const index = await this.readIndex();
      const manifests = change(index.manifests);
      const { bytes } = buildIndex({
        manifests,
        ...(index.annotations !== undefined && { annotations: index.annotations }),
      });
      await writeFileAtomic(join(this.dir, 'index.json'), bytes);
    });
  }

  /** Points tag `name` at `desc` (moving it if it existed). The manifest blob should already be stored. */
  async tag(name: string, desc: Descriptor): Promise<void> {
    if (name === '') fail('USAGE', 'a tag name cannot be empty');
    const entry = { ...desc, annotations: { ...desc.annotations, [REF_NAME_ANNOTATION]: name } };
    await this.updateIndex((ms) => [...ms.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] !== name), entry]);
  }

  /** Removes tag `name`; returns whether it existed. Blobs stay until `gc()`. */
  async untag(name: string): Promise<boolean> {
    let found = false;
    await this.updateIndex((ms) =>
      ms.filter((m) => {
        const hit = m.annotations?.[REF_NAME_ANNOTATION] === name;
        found ||= hit;
        return !hit;
      }),
    );
    return found;
  }

  /** Adds an untagged entry (e.g. a referrer manifest) unless an entry with that digest exists. */
  async addManifest(desc: Descriptor): Promise<void> {
    await this.updateIndex((ms) => (ms.some((m) => m.digest === desc.digest) ? ms : [...ms, desc]));
  }

  /** Tags in index.json order. */
  async listTags(): Promise<LayoutTag[]> {
    const index = await this.readIndex();
    return index.manifests.flatMap((m) => {
      const name = m.annotations?.[REF_NAME_ANNOTATION];
      if (name === undefined) return [];
      const { [REF_NAME_ANNOTATION]: _drop, ...rest } = m.annotations ?? {};
      const { annotations: _a, ...bare } = m;
      return [{ name, descriptor: Object.keys(rest).length > 0 ? { ...bare, annotations: rest } : bare }];
    });
  }

  /** The descriptor a tag points at, or undefined. */
  async resolveTag(name: string): Promise<Descriptor | undefined> {
    return (await this.listTags()).find((t) => t.name === name)?.descriptor;
  }

  /** The subject digest of a stored manifest (null when it has none), parsed once per digest. */
  async subjectOf(desc: Descriptor): Promise<Digest | null> {
    const cached = this.#subjects.get(desc.digest);
    if (cached !== undefined) return cached;
    let subject: Digest | null = null;
    if (desc.mediaType === MediaType.OCI_MANIFEST || desc.mediaType === MediaType.OCI_INDEX) {
      if (await this.hasBlob(desc.digest)) {
        const parsed = parseManifest(await this.readBlob(desc.digest, MAX_MANIFEST_BYTES), desc.mediaType);
        subject = (parsed.kind === 'index' ? parsed.index.subject : parsed.manifest.subject)?.digest ?? null;
      }
    }
    this.#subjects.set(desc.digest, subject);
    return subject;
  }

  /**
   * What an index.json entry hangs off, or null for an image of its own: its `subject`, or, for cosign's
   * `sha256-<hex>.sig`/`.att` tags (which have none), the digest the tag names. Such entries live and die with
   * that image, and are never "the only image" of a layout.
   */
  async anchorOf(entry: Descriptor): Promise<Digest | null> {
    return cosignTagSubject(entry.annotations?.[REF_NAME_ANNOTATION]) ?? this.subjectOf(entry);
  }

  /**
   * Manifests in index.json whose `subject` is `subject` (the referrers API, distribution spec 1.1, answered
   * locally). Returned descriptors carry `artifactType` when the entry has it.
   */
  async referrers(subject: Digest): Promise<Descriptor[]> {
    const out: Descriptor[] = [];
    for (const m of (await this.readIndex()).manifests) {
      if ((await this.subjectOf(m)) === subject) out.push(m);
    }
    return out;
  }

  /**
   * Removes blobs unreachable from index.json and index entries of referrers whose subject is gone. Runs under
   * the index lock; blobs written by a concurrent process but not yet in index.json could be removed, so do not
   * run it while another process builds into the same layout.
   */
  async gc(): Promise<GcResult> {
    let result: GcResult = { removed: [], freedBytes: 0 };
    await withLayoutLock(join(this.dir, 'index.json.lock'), async () => {
      const index = await this.readIndex();
      const view = {
        hasBlob: (d: Digest) => this.hasBlob(d),
        readBlob: (d: Digest, max: number) => this.readBlob(d, max),
        subjectOf: (e: Descriptor) => this.anchorOf(e),
      };
      const { live, keptEntries } = await layoutGarbage(view, index.manifests);
      if (keptEntries.length !== index.manifests.length) {
        const annotations = index.annotations;
        const rebuilt = buildIndex({ manifests: keptEntries, ...(annotations !== undefined && { annotations }) });
        await writeFileAtomic(join(this.dir, 'index.json'), rebuilt.bytes);
      }
      const removed: Digest[] = [];
      let freedBytes = 0;
      for (const name of await readdir(join(this.dir, 'blobs', 'sha256'))) {
        const d = `sha256:${name}`;
        if (!isDigest(d) || live.has(d)) continue;
        const path = this.blobPath(d);
        freedBytes += (await stat(path)).size;
        await rm(path, { force: true });
        removed.push(d);
      }
      result = { removed, freedBytes };
    });
    return result;
  }
}
