import type { ImageFilesystem } from '../oci/index.ts';
import type { FileChange, FileSide, FilesDelta } from './types.ts';

/*
 * Which paths one image has that the other does not, and which both have with different metadata: what a
 * customization added on top of its base, or what a rebuild moved. Content is compared through the size only
 * (tar headers carry no digest), so a file rewritten with the same size, mode and owner is not listed.
 */

/** The file delta, target minus baseline, each list sorted by path. Pure. */
export function diffFiles(target: ImageFilesystem, baseline: ImageFilesystem): FilesDelta {
  const added: FileSide[] = [];
  const changed: FileChange[] = [];
  for (const path of target.paths()) {
    const t = sideOf(target, path);
    const b = baseline.get(path) === undefined ? undefined : sideOf(baseline, path);
    if (b === undefined) added.push(t);
    else if (!same(t, b)) changed.push({ path: t.path, target: t, baseline: b });
  }
  const removed = baseline.paths().flatMap((p) => (target.get(p) === undefined ? [sideOf(baseline, p)] : []));
  return { added, removed, changed };
}

function sideOf(fs: ImageFilesystem, path: string): FileSide {
  const e = fs.get(path)!;
  return {
    path: `/${path}`,
    type: e.type,
    mode: (e.mode & 0o7777).toString(8).padStart(4, '0'),
    owner: `${e.uid}:${e.gid}`,
    size: e.type === 'file' ? e.size : 0,
    ...(e.linkTarget !== undefined && (e.type === 'symlink' || e.type === 'hardlink') && { target: e.linkTarget }),
  };
}

function same(a: FileSide, b: FileSide): boolean {
  return a.type === b.type && a.mode === b.mode && a.owner === b.owner && a.size === b.size && a.target === b.target;
}
