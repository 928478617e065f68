import { chmod, lchown, link, lutimes, mkdir, open, readdir, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { fail } from '../core/index.ts';
import { type FsEntry, flattenImage, type ImageFilesystem } from './filesystem.ts';
import { readTar } from './tar-reader.ts';
import type { ResolvedImage } from './types.ts';

export interface UnpackResult {
  readonly entries: number;
  /** Paths not created: device nodes, fifos, hardlinks to missing files. */
  readonly skipped: readonly string[];
}

export interface UnpackOptions {
  /** Set owners from the image (needs root); default: only when running as root. */
  readonly chown?: boolean;
  /**
   * The image's filesystem as flattenImage already read it (testImage's checks read it before its containers
   * run): unpacking then streams the layers once more instead of twice. It must be of this very `image`.
   */
  readonly flattened?: ImageFilesystem;
}

function byPathDesc(a: FsEntry, b: FsEntry): number {
  return Buffer.compare(Buffer.from(b.path), Buffer.from(a.path));
}

/**
 * Extracts the final filesystem of `image` (whiteouts applied) into `dir`, e.g. as a runc rootfs. `dir` must
 * be absent or empty. Safety by construction: every path is normalised inside the root, ancestors of written
 * paths are real directories, and symlinks are created last, so no write can pass through one. Device nodes
 * and fifos are skipped. Modes, mtimes and (as root) owners are applied after content, directories last.
 * @throws IroncladError CONFLICT when `dir` is not empty; HOSTILE_INPUT when an entry lies below a symlink or
 *   file (assertPlaceable); the errors of flattenImage.
 */
export async function unpackImage(image: ResolvedImage, dir: string, opts: UnpackOptions = {}): Promise<UnpackResult> {
  const fs = opts.flattened ?? (await flattenImage(image));
  if (fs.image !== image) fail('INTERNAL', `the filesystem given to unpack ${image.digest} is of another image`);
  assertPlaceable(fs.entries, image.digest);
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) fail('CONFLICT', `${dir} is not empty; refusing to unpack into it`);
  const chownOn = opts.chown ?? process.getuid?.() === 0;
  const all = [...fs.entries.values()];
  const skipped: string[] = [];
  for (const e of all) if (e.type === 'dir') await mkdir(join(dir, e.path), { recursive: true, mode: 0o700 });
  await writeFiles(image, dir, all);
  for (const e of all) {
    if (e.type !== 'hardlink') continue;
    const target = fs.entries.get(e.linkTarget ?? '');
    if (target?.type !== 'file') {
      skipped.push(e.path);
      continue;
    }
    await mkdir(join(dir, parent(e.path)), { recursive: true, mode: 0o755 });
    await link(join(dir, target.path), join(dir, e.path));
  }
  for (const e of all) {
    if (e.type === 'char' || e.type === 'block' || e.type === 'fifo') skipped.push(e.path);
    if (e.type !== 'symlink') continue;
    await mkdir(join(dir, parent(e.path)), { recursive: true, mode: 0o755 });
    await symlink(e.linkTarget ?? '', join(dir, e.path));
  }
  const done = new Set(skipped);
  for (const e of all.filter((x) => x.type !== 'dir').sort(byPathDesc)) {
    if (!done.has(e.path)) await applyMeta(dir, e, chownOn);
  }
  for (const e of all.filter((x) => x.type === 'dir').sort(byPathDesc)) await applyMeta(dir, e, chownOn);
  return { entries: all.length - skipped.length, skipped };
}

/**
 * Refuses a tree with an entry below a non-directory, e.g. one layer holding `etc -> /tmp` and then `etc/file`:
 * where that file belongs cannot be told without guessing (and following the link could write outside the root).
 * Later layers' paths through a symlink were already resolved inside the root by flattenImage.
 */
function assertPlaceable(entries: ReadonlyMap<string, FsEntry>, image: string): void {
  for (const e of entries.values()) {
    for (let p = parent(e.path); p !== ''; p = parent(p)) {
      const above = entries.get(p);
      if (above === undefined || above.type === 'dir') continue;
      const what = above.type === 'symlink' ? `a symlink to ${above.linkTarget ?? '?'}` : `a ${above.type}`;
      fail('HOSTILE_INPUT', `image ${image}: "/${e.path}" lies below "/${p}", which is ${what}, not a directory`, {
        hint: 'the image is malformed or hostile; it cannot be unpacked safely',
      });
    }
  }
}

function parent(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Streams each layer once and writes the regular files that survive in the final tree. */
async function writeFiles(image: ResolvedImage, dir: string, all: readonly FsEntry[]): Promise<void> {
  const wanted = new Map<number, Map<number, FsEntry>>();
  for (const e of all) {
    if (e.type !== 'file') continue;
    const m = wanted.get(e.layerIndex) ?? new Map<number, FsEntry>();
    wanted.set(e.layerIndex, m);
    m.set(e.ordinal, e);
  }
  const layers = image.layers();
  for (const [layerIndex, files] of [...wanted].sort(([a], [b]) => a - b)) {
    const stream = await layers[layerIndex]!.openUncompressed();
    for await (const t of readTar(stream, { compression: 'none' })) {
      const e = files.get(t.ordinal);
      if (e === undefined) continue;
      await mkdir(join(dir, parent(e.path)), { recursive: true, mode: 0o755 });
      const fh = await open(join(dir, e.path), 'wx', 0o600);
      try {
        for await (const chunk of t.content()) await fh.write(chunk);
      } finally {
        await fh.close();
      }
    }
  }
}

async function applyMeta(dir: string, e: FsEntry, chownOn: boolean): Promise<void> {
  const p = join(dir, e.path);
  if (chownOn) await lchown(p, e.uid, e.gid);
  if (e.type === 'symlink') {
    await lutimes(p, e.mtime, e.mtime);
    return;
  }
  // chmod after chown: chown clears setuid/setgid bits.
  await chmod(p, e.mode & 0o7777);
  await utimes(p, e.mtime, e.mtime);
}
