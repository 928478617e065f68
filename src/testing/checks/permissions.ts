import { type Check, failed, listSome, passed } from './check.ts';

export const NO_SETUID = 'no-setuid';
export const NO_WORLD_WRITABLE = 'no-world-writable';

/** Directories where world-writable is the point, provided the sticky bit keeps users from each other's files. */
const SHARED_TMP = ['tmp', 'var/tmp'];

/**
 * No setuid or setgid regular file (DESIGN.md, Image rules): in a container they are a privilege-escalation
 * path for nothing in return. Directories are not judged: setgid on a directory only sets the group of new files.
 */
export const noSetuid: Check = ({ fs }) => {
  const bad: string[] = [];
  for (const path of fs.paths()) {
    const e = fs.get(path)!;
    if ((e.type === 'file' || e.type === 'hardlink') && (e.mode & 0o6000) !== 0) {
      bad.push(`/${path} (${(e.mode & 0o7777).toString(8).padStart(4, '0')})`);
    }
  }
  return bad.length === 0
    ? passed(NO_SETUID, 'no setuid or setgid files')
    : failed(NO_SETUID, `setuid/setgid files: ${listSome(bad)}`);
};

/**
 * Nothing writable by every user, except sticky directories under /tmp and /var/tmp. Symlinks (always 0777)
 * and device nodes (whose modes the runtime replaces) are not judged.
 */
export const noWorldWritable: Check = ({ fs }) => {
  const bad: string[] = [];
  for (const path of fs.paths()) {
    const e = fs.get(path)!;
    if (e.type === 'symlink' || e.type === 'char' || e.type === 'block' || (e.mode & 0o002) === 0) continue;
    const inTmp = SHARED_TMP.some((t) => path === t || path.startsWith(`${t}/`));
    if (e.type === 'dir' && inTmp && (e.mode & 0o1000) !== 0) continue;
    bad.push(`/${path}`);
  }
  return bad.length === 0
    ? passed(NO_WORLD_WRITABLE, 'no world-writable paths outside /tmp and /var/tmp')
    : failed(NO_WORLD_WRITABLE, `world-writable: ${listSome(bad)}`);
};
