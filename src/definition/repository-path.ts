import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';

/*
 * Provenance records the definition path relative to the repository holding it, so a rebuild on another machine
 * (another checkout location) finds the same file.
 */

/** The nearest directory at or above `dir` containing `.git`, or undefined. */
export function repositoryRoot(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * `path` relative to its repository root (else to `cwd`), in `/` form. When the file is outside both, the
 * definition's own directory and file name (`python/image.yaml`) are the best that can be said.
 */
export function repoRelativePath(path: string, cwd: string): string {
  let rel = relative(repositoryRoot(dirname(path)) ?? cwd, path);
  if (rel.startsWith('..') || isAbsolute(rel)) rel = relative(dirname(dirname(path)), path);
  return rel.split('\\').join('/');
}
