import { readdirSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** The caches under `<home>/cache`, one folder each; everything in them may be deleted at any time. */
export type CacheKind =
  /** Verified downloads by sha256: InRelease, indices, .debs (debian/archive-cache.ts). */
  | 'sha256'
  /**
   * Sealed derived data under `<kind>/<format>/`: parsed .deb contents, compressed layers, resolutions
   * (image/derived-cache.ts).
   */
  | 'derived';

/**
 * `$IRONCLAD_HOME` (default `~/.ironclad`): the one owner of every path Ironclad keeps state in.
 *
 * ```text
 * <home>/store/        the local image store, an OCI layout (tags in index.json)
 * <home>/cache/<kind>/ downloaded and derived caches, see CacheKind; all safe to delete
 * <home>/derived-cache.key  the secret derived-cache entries are sealed with (outside cache/ on purpose)
 * <home>/vuln.db       the vulnerability database (SQLite), replaced whole by `db import`/`db update`
 * <home>/auth.json     registry logins written by `ironclad login` (mode 0600)
 * <home>/archive-state/  the newest InRelease Date seen per suite, to refuse rollbacks
 * <home>/history/     every digest each tag of the store had, and why it moved (one JSON file per image name)
 * <home>/tmp/          scratch directories of running commands (build tests, run bundles, rebuilds, downloads)
 * ```
 *
 * Temp-file policy. A file that ends up at a destination is written to a temp file beside it and renamed
 * (`siblingTempPath`, `writeFileAtomic`): same directory, so the same filesystem and an atomic rename, also for
 * destinations outside the home (`--out`, `-o`). Scratch space a command needs while it runs is a directory
 * under `<home>/tmp` (`scratchDir`), never `os.tmpdir()` or `$HOME/tmp`: state stays on the home's filesystem,
 * and one sweep finds it. Both kinds of names carry the pid of the process that made them.
 *
 * Leftovers. A command killed mid-write leaves such temp files (`.vuln.db.<pid>-<rand>.tmp` and its SQLite
 * `-journal`, `.blob.<pid>-<rand>.tmp` in the store, scratch directories). `sweepLeftovers` runs at the start of
 * every verb and removes a temp file or scratch directory only when the process named in it is no longer
 * alive, so it never touches what another running command is writing. Names without a pid (written by older
 * versions) are removed once they are a day old. The rule assumes one pid namespace per home: a home shared
 * between machines or containers should not be swept while another one writes to it.
 */
export class Home {
  constructor(readonly root: string) {}

  get store(): string {
    return join(this.root, 'store');
  }
  get vulnDb(): string {
    return join(this.root, 'vuln.db');
  }
  get authFile(): string {
    return join(this.root, 'auth.json');
  }
  get archiveState(): string {
    return join(this.root, 'archive-state');
  }
  get history(): string {
    return join(this.root, 'history');
  }
  /** Held by `ironclad update` while it runs: one update at a time per home. */
  get updateLock(): string {
    return join(this.root, 'update.lock');
  }
  get tmp(): string {
    return join(this.root, 'tmp');
  }
  get cacheRoot(): string {
    return join(this.root, 'cache');
  }
  /** `<home>/cache/<kind>[/<sub>...]`. */
  cache(kind: CacheKind, ...sub: string[]): string {
    return join(this.root, 'cache', kind, ...sub);
  }
  get cacheSecret(): string {
    return join(this.root, 'derived-cache.key');
  }

  /** A fresh scratch directory under `<home>/tmp`; the caller removes it when done. */
  async scratchDir(purpose: string): Promise<string> {
    await mkdir(this.tmp, { recursive: true });
    return mkdtemp(join(this.tmp, `${purpose}-${process.pid}-`));
  }

  /** Removes temp files and scratch directories whose process is gone (see the class comment). */
  async sweepLeftovers(): Promise<string[]> {
    const removed: string[] = [];
    await sweepDir(this.root, 0, removed);
    return removed;
  }

  /**
   * Removes this process's own temp files and scratch directories, synchronously: the last thing an
   * interrupted command does before it exits, so nothing can start writing a new one in between.
   */
  removeOwnTempsSync(): void {
    const walk = (dir: string, depth: number) => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const path = join(dir, e.name);
        if (tempOwner(e.name, dir === this.tmp)?.pid === process.pid) rmSync(path, { recursive: true, force: true });
        else if (e.isDirectory() && depth < MAX_DEPTH) walk(path, depth + 1);
      }
    };
    walk(this.root, 0);
  }
}

/** Temp files sit at most this deep: `cache/derived/<kind>/<format>/<xx>/.<key>.<pid>-<rand>.tmp`. */
const MAX_DEPTH = 5;
const LEGACY_AGE_MS = 24 * 3600 * 1000;

// `.name.<pid>-<12 hex>.tmp` (atomic.ts), optionally with SQLite's `-journal`, `-wal` or `-shm`; the pid-less form is older.
const TEMP_FILE = /^\..+\.(?:(\d+)-)?[0-9a-f]{12}\.tmp(?:-journal|-wal|-shm)?$/;
// Scratch directories: `<purpose>-<pid>-<rand>` (mkdtemp adds six characters).
const SCRATCH_DIR = /^[a-z][a-z0-9-]*?-(\d+)-[A-Za-z0-9]{6}$/;

/** Whether a name is a temp file (or, directly under tmp/, a scratch directory) and which pid made it. */
function tempOwner(name: string, inTmp: boolean): { pid: number | undefined } | undefined {
  const file = TEMP_FILE.exec(name);
  if (file !== null) return { pid: file[1] === undefined ? undefined : Number(file[1]) };
  if (!inTmp) return undefined;
  const scratch = SCRATCH_DIR.exec(name);
  return { pid: scratch?.[1] === undefined ? undefined : Number(scratch[1]) };
}

/** Whether a process with this pid exists on this machine (in this pid namespace). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function sweepDir(dir: string, depth: number, removed: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const inTmp = basename(dir) === 'tmp' && depth === 1;
  await Promise.all(
    entries.map(async (e) => {
      const path = join(dir, e.name);
      const owner = tempOwner(e.name, inTmp);
      if (owner !== undefined) {
        if (!(await isLeftover(path, owner.pid))) return;
        await rm(path, { recursive: true, force: true });
        removed.push(path);
      } else if (e.isDirectory() && depth < MAX_DEPTH) {
        await sweepDir(path, depth + 1, removed);
      }
    }),
  );
}

async function isLeftover(path: string, pid: number | undefined): Promise<boolean> {
  if (pid !== undefined) return pid !== process.pid && !processAlive(pid);
  const st = await stat(path).catch(() => undefined);
  return st !== undefined && Date.now() - st.mtimeMs > LEGACY_AGE_MS;
}
