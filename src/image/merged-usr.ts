import { type FileNode, implicitDir } from './file-tree.ts';

/**
 * Merged /usr (https://wiki.debian.org/UsrMerge): since bookworm every Debian system has `/bin`, `/sbin` and
 * `/lib*` as symlinks into `/usr`. Bookworm packages still ship files under `/bin` or `/lib` and rely on the
 * links; trixie packages ship them under `/usr` and base-files ships the links itself. Assembly pre-creates
 * the links and resolves every package path through them, so both kinds land in `usr/` and agree.
 */

/** Always linked: every Debian architecture uses them. */
const ALWAYS = ['bin', 'sbin', 'lib'] as const;
/**
 * Linked only when some package uses them, so an arm64 image carries no dangling `/lib64`. amd64 needs `lib64`
 * for the ELF interpreter path `/lib64/ld-linux-x86-64.so.2`, which libc6 ships (as `lib64/...` in bookworm,
 * `usr/lib64/...` in trixie); `lib32`/`libx32`/`libo32` belong to multilib and mips ports.
 */
const WHEN_USED = ['lib32', 'lib64', 'libx32', 'libo32'] as const;

/** The top-level names that are links into `usr/` in a merged-/usr image. */
export const MERGED_USR_DIRS: readonly string[] = [...ALWAYS, ...WHEN_USED];

function usesDir(paths: Iterable<string>, dir: string): boolean {
  for (const p of paths) {
    if (p === dir || p.startsWith(`${dir}/`) || p === `usr/${dir}` || p.startsWith(`usr/${dir}/`)) return true;
  }
  return false;
}

/**
 * The merged-/usr symlinks for a set of package paths (relative, as in the data archives): `bin -> usr/bin`
 * and friends, relative targets as base-files writes them, and the directories they point to (`usr`, `usr/bin`,
 * ...), sorted by path. Owned by the image (no owners). A merged-/usr Debian system always has `/usr/bin`,
 * `/usr/sbin` and `/usr/lib`; an image whose packages ship nothing under one of them (static: no program, so
 * no `usr/bin`) still gets the directory, so no link dangles. A package's own entry for such a directory replaces
 * these (TreeBuilder.add), so images whose packages ship them are unchanged.
 */
export function mergedUsrNodes(packagePaths: readonly string[], mtime: number): FileNode[] {
  const names = [...ALWAYS, ...WHEN_USED.filter((d) => usesDir(packagePaths, d))].sort();
  const links: FileNode[] = names.map((name) => ({
    type: 'symlink',
    path: name,
    target: `usr/${name}`,
    mode: 0o777,
    uid: 0,
    gid: 0,
    mtime,
    owners: [],
  }));
  const dirs = ['usr', ...names.map((name) => `usr/${name}`)].map((path) => implicitDir(path, mtime));
  return [...links, ...dirs];
}
