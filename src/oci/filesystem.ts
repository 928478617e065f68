import { fail } from '../core/index.ts';
import { readTar, type TarHeader, type TarLimits } from './tar-reader.ts';
import { normalizeLayerPath, resolveTreePath } from './tree-path.ts';
import type { ResolvedImage } from './types.ts';

/** One path of the final (flattened) filesystem of an image. */
export interface FsEntry extends Omit<TarHeader, 'path'> {
  /** Relative to the image root, no leading `/` or `./`, no trailing `/`. */
  readonly path: string;
  /** Index in `image.layers()` of the layer that provides this entry (base layer is 0). */
  readonly layerIndex: number;
  /** Position of the entry in that layer's tar. */
  readonly ordinal: number;
  /** The content, when `FlattenOptions.capture` selected this file. */
  readonly content?: Uint8Array;
}

export interface FlattenOptions {
  /** Files whose content to keep in memory while streaming (e.g. dpkg status, os-release). */
  readonly capture?: (path: string, size: number) => boolean;
  /** Largest file `capture` may keep; bigger ones are left for `readFile`. Default 16 MiB. */
  readonly maxCaptureBytes?: number;
  readonly limits?: TarLimits;
}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE = '.wh..wh..opq';

/**
 * The final filesystem of an image: every layer applied in order with OCI whiteouts (layer.md, "Whiteouts").
 * Entries are metadata; file content is read lazily by re-streaming the providing layer, unless captured.
 */
export class ImageFilesystem {
  constructor(
    readonly image: ResolvedImage,
    readonly entries: ReadonlyMap<string, FsEntry>,
  ) {}

  /** All paths in byte order (parents before children). */
  paths(): string[] {
    return [...this.entries.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  get(path: string): FsEntry | undefined {
    return this.entries.get(normalizeLayerPath(path));
  }

  /** Resolves symlinks (all components, the last one too) inside the image root; undefined when missing. */
  resolve(path: string): FsEntry | undefined {
    return this.entries.get(resolveTreePath(normalizeLayerPath(path), (p) => linkOf(this.entries, p), true));
  }

  /**
   * A regular file's content, following symlinks and hardlinks.
   * @throws IroncladError NOT_FOUND when the path is missing or not a file; INVALID_INPUT above `maxBytes`.
   */
  async readFile(path: string, maxBytes: number): Promise<Uint8Array> {
    let e = this.resolve(path);
    for (let hops = 0; e?.type === 'hardlink' && hops < 8; hops++) e = this.entries.get(e.linkTarget ?? '');
    if (e === undefined || e.type !== 'file')
      fail('NOT_FOUND', `${path} is not a regular file in ${this.image.digest}`);
    if (e.content !== undefined) return e.content;
    const layer = this.image.layers()[e.layerIndex];
    if (layer === undefined) fail('INTERNAL', `layer ${e.layerIndex} missing`);
    for await (const t of readTar(await layer.openUncompressed(), { compression: 'none' })) {
      if (t.ordinal === e.ordinal) return t.read(maxBytes);
    }
    return fail('INTERNAL', `entry ${e.path} vanished from layer ${e.layerIndex}`);
  }
}

function linkOf(entries: ReadonlyMap<string, FsEntry>, p: string): string | undefined {
  const e = entries.get(p);
  return e?.type === 'symlink' ? e.linkTarget : undefined;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Places a layer path in the tree: a parent that is a symlink in a lower layer is followed, as extraction would. */
function placePath(tree: ReadonlyMap<string, FsEntry>, raw: string): string {
  const path = normalizeLayerPath(raw);
  const parent = parentOf(path);
  if (parent === '') return path;
  const realParent = resolveTreePath(parent, (p) => linkOf(tree, p), true);
  return realParent === parent ? path : [realParent, path.slice(parent.length + 1)].filter(Boolean).join('/');
}

/** Whether `path` or one of its ancestors is in `set` (`strict`: ancestors only). */
function underAny(path: string, set: ReadonlySet<string>, strict: boolean): boolean {
  if (!strict && set.has(path)) return true;
  for (let p = parentOf(path); ; p = parentOf(p)) {
    if (set.has(p)) return true;
    if (p === '') return false;
  }
}

/**
 * Flattens an image: streams every layer once, base first, and applies it to the tree. A layer's whiteouts
 * (`.wh.NAME` removes NAME, `.wh..wh..opq` hides everything below its directory) affect lower layers only,
 * whatever their position in the tar; a non-directory replacing a directory removes the lower children.
 * Whiteout files never appear in the result. Devices and fifos are listed as they are.
 * @throws IroncladError HOSTILE_INPUT for paths escaping the root, INVALID_INPUT for malformed layers,
 *   DIGEST_MISMATCH for corrupt blobs.
 */
export async function flattenImage(image: ResolvedImage, opts: FlattenOptions = {}): Promise<ImageFilesystem> {
  const tree = new Map<string, FsEntry>();
  const maxCapture = opts.maxCaptureBytes ?? 16 * 1024 * 1024;
  const layers = image.layers();
  for (let layerIndex = 0; layerIndex < layers.length; layerIndex++) {
    const whiteouts = new Set<string>();
    const opaque = new Set<string>();
    const added: FsEntry[] = [];
    const stream = await layers[layerIndex]!.openUncompressed();
    const what = `layer ${layerIndex + 1} of ${image.digest}`;
    for await (const t of readTar(stream, { compression: 'none', what, ...(opts.limits && { limits: opts.limits }) })) {
      const path = placePath(tree, t.header.path);
      if (path === '') continue;
      const base = path.slice(path.lastIndexOf('/') + 1);
      if (base === OPAQUE) opaque.add(parentOf(path));
      else if (base.startsWith(WHITEOUT_PREFIX))
        whiteouts.add([parentOf(path), base.slice(4)].filter(Boolean).join('/'));
      else {
        const { path: _raw, ...meta } = t.header;
        const linkTarget =
          meta.type === 'hardlink' && meta.linkTarget !== undefined
            ? normalizeLayerPath(meta.linkTarget)
            : meta.linkTarget;
        const keep = meta.type === 'file' && meta.size <= maxCapture && opts.capture?.(path, meta.size) === true;
        added.push({
          ...meta,
          ...(linkTarget !== undefined && { linkTarget }),
          path,
          layerIndex,
          ordinal: t.ordinal,
          ...(keep && { content: await t.read(maxCapture) }),
        });
      }
    }
    applyLayer(tree, { whiteouts, opaque, added, layerIndex });
  }
  return new ImageFilesystem(image, tree);
}

function applyLayer(
  tree: Map<string, FsEntry>,
  l: { whiteouts: Set<string>; opaque: Set<string>; added: readonly FsEntry[]; layerIndex: number },
): void {
  if (l.whiteouts.size > 0 || l.opaque.size > 0) {
    for (const p of tree.keys()) {
      if (underAny(p, l.whiteouts, false) || underAny(p, l.opaque, true)) tree.delete(p);
    }
  }
  const replacedDirs = new Set<string>();
  for (const e of l.added) {
    const before = tree.get(e.path);
    if (before?.type === 'dir' && e.type !== 'dir') replacedDirs.add(e.path);
    // A directory over a directory keeps the lower children (layer.md, "Changeset over existing files").
    tree.set(e.path, e);
  }
  if (replacedDirs.size > 0) {
    for (const [p, e] of tree) if (e.layerIndex < l.layerIndex && underAny(p, replacedDirs, true)) tree.delete(p);
  }
}
