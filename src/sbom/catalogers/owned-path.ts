import type { ImageFilesystem } from '../../oci/index.ts';

/**
 * Where a path a package database names really is in the flattened image: leading `/` and `./` dropped, and the
 * parent directory resolved through symlinks (merged-/usr: dpkg lists `/bin/ls`, the image has `usr/bin/ls`).
 * The last component is not followed, so a package's own symlink stays itself.
 */
export function ownedPath(fs: ImageFilesystem, raw: string): string {
  const path = raw.replace(/^(\.?\/)+/, '').replace(/\/+$/, '');
  const slash = path.lastIndexOf('/');
  if (slash < 0) return path;
  const parent = fs.resolve(path.slice(0, slash));
  if (parent === undefined || parent.path === path.slice(0, slash)) return path;
  return `${parent.path}/${path.slice(slash + 1)}`;
}
