/**
 * What a hardened image leaves out of the packages it ships (DESIGN.md, Image rules): documentation, manuals,
 * translations and packaging metadata nothing reads at run time. Paths are tree paths after merged-/usr
 * resolution (`usr/share/doc/...`). Licence texts stay: Debian Policy §12.5 puts each package's copyright file
 * at `/usr/share/doc/<package>/copyright`, and the SBOM reads licences from there.
 */

/** Directories dropped whole, including the directory itself. */
const DROPPED_TREES = [
  'usr/share/man',
  'usr/share/info',
  'usr/share/lintian',
  'usr/share/linda',
  'usr/share/bug',
  'usr/share/doc-base',
  'usr/share/gtk-doc',
  'usr/share/menu',
] as const;

/**
 * Locale data directories whose children are dropped except the C.UTF-8 locale, which glibc ships as
 * `usr/lib/locale/C.utf8` and some packages translate into `usr/share/locale/C.UTF-8`.
 */
const LOCALE_DIRS: readonly (readonly [string, string])[] = [
  ['usr/share/locale', 'C.UTF-8'],
  ['usr/lib/locale', 'C.utf8'],
];

const DOC = 'usr/share/doc';

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/**
 * Whether the strip rules remove `path` (an entry of the given type). Under `usr/share/doc` the per-package
 * directories (or the symlinks Debian uses in their place) and their `copyright` files stay; everything else
 * there goes.
 */
export function isStripped(path: string, type: 'file' | 'dir' | 'symlink' | 'hardlink'): boolean {
  for (const dir of DROPPED_TREES) if (under(path, dir)) return true;
  for (const [dir, keep] of LOCALE_DIRS) {
    if (path.startsWith(`${dir}/`) && !under(path, `${dir}/${keep}`)) return true;
  }
  if (path.startsWith(`${DOC}/`)) {
    const rest = path.slice(DOC.length + 1).split('/');
    if (rest.length === 1) return type === 'file' || type === 'hardlink';
    return !(rest.length === 2 && rest[1] === 'copyright');
  }
  return false;
}

const SETID_BITS = 0o6000;

/** The mode with setuid and setgid removed (runtime variants ship no privilege-raising files). */
export function withoutSetid(mode: number): number {
  return mode & ~SETID_BITS;
}

export function hasSetid(mode: number): boolean {
  return (mode & SETID_BITS) !== 0;
}
