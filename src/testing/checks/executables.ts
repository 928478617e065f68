import type { FsEntry, ImageFilesystem } from '../../oci/index.ts';

/**
 * Paths whose last component is one of `names` and which resolve (symlinks followed inside the image, then
 * hardlinks) to a regular file with an execute bit: what a user or an attacker could actually run. Labels and
 * package lists are not consulted, so a shell copied in by hand is found as well as one from a package.
 */
export function findExecutables(fs: ImageFilesystem, names: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const path of fs.paths()) {
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (!names.has(base)) continue;
    const target = regularFile(fs, fs.resolve(path));
    if (target !== undefined && (target.mode & 0o111) !== 0) found.push(`/${path}`);
  }
  return found;
}

function regularFile(fs: ImageFilesystem, e: FsEntry | undefined): FsEntry | undefined {
  let cur = e;
  for (let hops = 0; cur?.type === 'hardlink' && hops < 8; hops++) cur = fs.entries.get(cur.linkTarget ?? '');
  return cur?.type === 'file' ? cur : undefined;
}
