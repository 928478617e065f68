import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fail, storageError } from '../core/index.ts';
import type { CliIO } from './io.ts';

/**
 * Reads a file the user named (relative to the invocation's directory). A missing file is NOT_FOUND and any
 * other unreadable one INVALID_INPUT (both exit 2), naming `what` it was meant to be, never an unexpected failure.
 */
export async function readInputFile(path: string, io: CliIO, what: string): Promise<Buffer> {
  try {
    return await readFile(resolve(io.cwd, path));
  } catch (err) {
    const storage = storageError(err, path);
    if (storage !== undefined) throw storage;
    const code = (err as NodeJS.ErrnoException).code;
    return fail(
      code === 'ENOENT' ? 'NOT_FOUND' : 'INVALID_INPUT',
      `${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      {
        hint: `pass ${what}`,
        cause: err,
      },
    );
  }
}
