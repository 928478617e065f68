import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fail } from '../core/index.ts';

/** Symlinks followed before giving up, as Linux's MAXSYMLINKS. */
const MAX_HOPS = 40;

/**
 * Reads a regular file of an unpacked root filesystem, resolving every symlink *inside* `rootfs` (an absolute
 * link target means the rootfs root, `..` stops at it), so an image's `/etc/passwd -> /host/file` can never
 * make us read a file of this machine. Resolves `undefined` when the path is missing or not a regular file.
 * @throws IroncladError INVALID_INPUT when the file exceeds `maxBytes`; HOSTILE_INPUT on a symlink loop.
 */
export async function readRootfsFile(rootfs: string, path: string, maxBytes: number): Promise<Uint8Array | undefined> {
  const pending = path.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const c = pending.shift()!;
    if (c === '..') {
      done.pop();
      continue;
    }
    const real = join(rootfs, ...done, c);
    const st = await lstat(real).catch(() => undefined);
    if (st === undefined) return undefined;
    if (st.isSymbolicLink()) {
      if (++hops > MAX_HOPS) fail('HOSTILE_INPUT', `${path}: too many levels of symbolic links in the image`);
      const target = await readlink(real);
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...target.split('/').filter((x) => x !== '' && x !== '.'));
      continue;
    }
    if (pending.length > 0 && !st.isDirectory()) return undefined;
    done.push(c);
  }
  const real = join(rootfs, ...done);
  const st = await lstat(real).catch(() => undefined);
  if (st === undefined || !st.isFile()) return undefined;
  if (st.size > maxBytes) fail('INVALID_INPUT', `${path} in the image is larger than ${maxBytes} bytes`);
  return readFile(real);
}
