import { type ContentDigests, contentDigests } from './content-digests.ts';

/**
 * File contents read on first use. A parsed .deb from the derived cache gives its files this way (deb-cache.ts):
 * a rebuild whose layers are all found by their keys needs the files' lengths and digests, never their bytes,
 * so an unchanged package's bytes are not read at all.
 *
 * Such a file node (DebEntry, FileNode, TarEntry) still has a plain `data: Uint8Array` to every reader: an
 * enumerable getter that loads (and verifies) the bytes on first access. What copies or looks at a node without
 * needing the bytes goes through this module, which keeps them unread; anything else (a spread, a tar writer)
 * simply reads them, which costs time, never correctness.
 */
export interface LazyBytes {
  readonly length: number;
  /** The digests the bytes must have (from a sealed entry). */
  readonly digests: ContentDigests;
  /** The bytes, checked against `digests`; read on first call, then kept. Throws when they cannot be had intact. */
  bytes(): Uint8Array;
}

const lazy = new WeakMap<object, LazyBytes>();

/** `obj` with a `data` property that loads `source` on first access. */
/** A copy of `obj` (which has no `data`) with a `data` property that loads `source` on first access. */
export function withLazyData<T extends object>(obj: T, source: LazyBytes): T & { readonly data: Uint8Array } {
  // An accessor in a literal keeps the object's shape a fast one (defineProperty on each object would not).
  const out = {
    ...obj,
    get data() {
      return source.bytes();
    },
  };
  lazy.set(out, source);
  return out;
}

/** `obj` (or a copy) given the data of `from`, without reading it when it is not read yet. */
export function withDataOf<T extends object>(
  obj: T,
  from: { readonly data: Uint8Array },
): T & { readonly data: Uint8Array } {
  const source = lazy.get(from);
  return source === undefined ? Object.assign(obj, { data: from.data }) : withLazyData(obj, source);
}

/** `{ ...node, ...patch }`, without reading `node`'s data when it is not read yet. */
export function copyNode<T extends object>(node: T, patch: Partial<T>): T {
  const source = lazy.get(node);
  if (source === undefined) return { ...node, ...patch };
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(node)) if (k !== 'data') out[k] = node[k as keyof T];
  return withLazyData(Object.assign(out, patch), source) as unknown as T;
}

/** The length of a file's data, without reading it. */
export function dataLength(file: { readonly data: Uint8Array }): number {
  return lazy.get(file)?.length ?? file.data.length;
}

/** The sha256 and md5 of a file's data: from its sealed entry when not read yet, else computed once. */
export function dataDigests(file: { readonly data: Uint8Array }): ContentDigests {
  return lazy.get(file)?.digests ?? contentDigests(file.data);
}

/** Whether two files hold the same bytes: by their sha256 when either is not read yet. */
export function sameData(a: { readonly data: Uint8Array }, b: { readonly data: Uint8Array }): boolean {
  if (lazy.has(a) || lazy.has(b)) {
    return dataLength(a) === dataLength(b) && dataDigests(a).sha256 === dataDigests(b).sha256;
  }
  return Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(b.data);
}
