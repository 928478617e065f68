import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fail } from './errors.ts';

/**
 * Writes a file so that readers see either the old or the new content, never a torn one:
 * write to a sibling temp file, fsync, rename over the target.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = siblingTempPath(path);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * A unique temp path beside `path` (same filesystem, so a later rename is atomic). The name carries this
 * process's pid so that the next run can tell a leftover of a killed command from a live one (home.ts).
 */
export function siblingTempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes a whole directory tree so that `dir` holds either its old content or all of `files`, never a mix: the
 * files go into a sibling temp directory, which then replaces `dir`. A `dir` that exists must have been written
 * by the same producer (it holds `marker`) or be empty; anything else is refused (USAGE) rather than deleted.
 * Paths in `files` are relative, `/`-separated, without `..`.
 */
export async function writeDirAtomic(
  dir: string,
  files: ReadonlyMap<string, Uint8Array | string>,
  marker: string,
): Promise<void> {
  const existing = await readdir(dir).catch(() => undefined);
  if (existing !== undefined && existing.length > 0 && !existing.includes(marker)) {
    fail('USAGE', `${dir} exists and was not written by this command (no ${marker})`, {
      hint: 'choose a new or empty directory',
    });
  }
  const tmp = siblingTempPath(dir);
  try {
    for (const [rel, data] of files) {
      if (rel.split('/').some((p) => p === '' || p === '.' || p === '..')) fail('INTERNAL', `bad export path ${rel}`);
      const path = join(tmp, ...rel.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, data);
    }
    const old = existing === undefined ? undefined : siblingTempPath(dir);
    if (old !== undefined) await rename(dir, old);
    await rename(tmp, dir);
    if (old !== undefined) await rm(old, { recursive: true, force: true });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
