import { fail, PACKAGE_MANAGERS, SHELLS } from '../core/index.ts';
import type { FsEntry } from '../oci/index.ts';
import type {
  AttackSurface,
  AttackSurfaceDelta,
  FoundProgram,
  ListDelta,
  LoginUser,
  SpecialFile,
  WritableDir,
} from './types.ts';

/**
 * The attack surface of a flattened image: what a process that gained code execution could use. Every
 * function here is pure over the filesystem metadata (and the /etc/passwd text, read by the caller).
 */

/** What the collector reads: a flattened filesystem (`ImageFilesystem` satisfies it). */
export interface SurfaceFs {
  readonly entries: ReadonlyMap<string, FsEntry>;
  /** Follows symlinks inside the image root; undefined when the path does not exist. */
  resolve(path: string): FsEntry | undefined;
}

/** Where programs are looked up, in this order; the first hit gives the reported path. */
const BIN_DIRS = ['bin', 'usr/bin', 'sbin', 'usr/sbin', 'usr/local/bin', 'usr/local/sbin'] as const;

/** Shells that end a login at once: nologin(8), false(1), and `sync`, which Debian's `sync` user runs. */
const NON_LOGIN_SHELLS = new Set(['nologin', 'false', 'sync']);

/** Largest /etc/passwd accepted; a real one is a few KiB. */
export const MAX_PASSWD_BYTES = 1024 * 1024;

const isRegular = (e: FsEntry | undefined): boolean => e?.type === 'file' || e?.type === 'hardlink';

/** Names from `names` that resolve to a regular file in a bin directory, with the first path found. */
export function findPrograms(fs: SurfaceFs, names: readonly string[]): FoundProgram[] {
  const out: FoundProgram[] = [];
  for (const name of names) {
    const dir = BIN_DIRS.find((d) => isRegular(fs.resolve(`${d}/${name}`)));
    if (dir !== undefined) out.push({ name, path: `/${dir}/${name}` });
  }
  return out.sort((a, b) => cmp(a.name, b.name));
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** Regular files with the setuid (04000) or setgid (02000) bit, by path. */
export function setuidFiles(fs: SurfaceFs): SpecialFile[] {
  const out: SpecialFile[] = [];
  for (const e of fs.entries.values()) {
    if (!isRegular(e) || (e.mode & 0o6000) === 0) continue;
    out.push({
      path: `/${e.path}`,
      mode: octal(e.mode),
      setuid: (e.mode & 0o4000) !== 0,
      setgid: (e.mode & 0o2000) !== 0,
    });
  }
  return out.sort((a, b) => cmp(a.path, b.path));
}

/** Regular files with any execute bit (hardlinks count once per name, as `find -type f -perm /111` does). */
export function countExecutables(fs: SurfaceFs): number {
  let n = 0;
  for (const e of fs.entries.values()) if (isRegular(e) && (e.mode & 0o111) !== 0) n++;
  return n;
}

/** Directories with the "others may write" bit (01002 is sticky, like /tmp), by path. */
export function worldWritableDirs(fs: SurfaceFs): WritableDir[] {
  const out: WritableDir[] = [];
  for (const e of fs.entries.values()) {
    if (e.type === 'dir' && (e.mode & 0o002) !== 0) out.push({ path: `/${e.path}`, sticky: (e.mode & 0o1000) !== 0 });
  }
  return out.sort((a, b) => cmp(a.path, b.path));
}

/**
 * Accounts of an /etc/passwd (passwd(5): `name:password:uid:gid:gecos:home:shell`) whose shell allows a login.
 * An empty shell field means /bin/sh (passwd(5)). Blank lines and NIS `+`/`-` entries are skipped.
 * @throws IroncladError INVALID_INPUT for a line without seven fields or with a non-numeric uid.
 */
export function loginUsers(passwd: string): LoginUser[] {
  if (passwd.length > MAX_PASSWD_BYTES) fail('INVALID_INPUT', `/etc/passwd is larger than ${MAX_PASSWD_BYTES} bytes`);
  const out: LoginUser[] = [];
  for (const [i, line] of passwd.split('\n').entries()) {
    if (line.trim() === '' || line.startsWith('+') || line.startsWith('-')) continue;
    const f = line.split(':');
    if (f.length !== 7 || !/^\d{1,10}$/.test(f[2] ?? '')) {
      fail('INVALID_INPUT', `/etc/passwd line ${i + 1}: expected name:password:uid:gid:gecos:home:shell`);
    }
    const shell = f[6] === '' ? '/bin/sh' : (f[6] ?? '');
    if (NON_LOGIN_SHELLS.has(shell.slice(shell.lastIndexOf('/') + 1))) continue;
    out.push({ name: f[0] ?? '', uid: Number(f[2]), shell });
  }
  return out.sort((a, b) => cmp(a.name, b.name));
}

/** The whole attack surface; `passwd` is the text of /etc/passwd, or undefined when the image has none. */
export function collectAttackSurface(fs: SurfaceFs, passwd: string | undefined): AttackSurface {
  return {
    shells: findPrograms(fs, SHELLS),
    packageManagers: findPrograms(fs, PACKAGE_MANAGERS),
    setuidFiles: setuidFiles(fs),
    executables: countExecutables(fs),
    loginUsers: passwd === undefined ? [] : loginUsers(passwd),
    worldWritableDirs: worldWritableDirs(fs),
  };
}

/** Items whose key is only in the target (`added`) or only in the baseline (`removed`), in input order. */
export function diffList<T>(target: readonly T[], baseline: readonly T[], key: (x: T) => string): ListDelta<T> {
  const tk = new Set(target.map(key));
  const bk = new Set(baseline.map(key));
  return { added: target.filter((x) => !bk.has(key(x))), removed: baseline.filter((x) => !tk.has(key(x))) };
}

/**
 * Baseline → target differences. Programs compare by name; setuid files by path and mode bits; login users by
 * name and shell; writable directories by path and sticky bit (a changed attribute shows as removed + added).
 */
export function diffAttackSurface(target: AttackSurface, baseline: AttackSurface): AttackSurfaceDelta {
  return {
    shells: diffList(target.shells, baseline.shells, (p) => p.name),
    packageManagers: diffList(target.packageManagers, baseline.packageManagers, (p) => p.name),
    setuidFiles: diffList(target.setuidFiles, baseline.setuidFiles, (f) => `${f.path}\0${f.mode}`),
    executables: target.executables - baseline.executables,
    loginUsers: diffList(target.loginUsers, baseline.loginUsers, (u) => `${u.name}\0${u.shell}`),
    worldWritableDirs: diffList(target.worldWritableDirs, baseline.worldWritableDirs, (d) => `${d.path}\0${d.sticky}`),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
