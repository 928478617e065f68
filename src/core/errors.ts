import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * One error class for the whole tool. Each code picks its exit status here, so adding a code forces a
 * decision about how the CLI reports it (DESIGN.md, Conventions: 0 ok, 1 policy, 2 usage/input,
 * 3 integrity, 4 network).
 */
export const ERROR_CODES = {
  USAGE: 2,
  INVALID_INPUT: 2,
  DEFINITION_INVALID: 2,
  LOCK_MISSING: 2,
  /** A lock that does not fit its definition (made for another version of it, or missing a variant or platform). */
  LOCK_STALE: 2,
  PACKAGE_UNKNOWN: 2,
  UNSATISFIABLE: 2,
  NOT_FOUND: 2,
  CONFLICT: 2,
  POLICY_FAILED: 1,
  TEST_FAILED: 1,
  DIGEST_MISMATCH: 3,
  SIGNATURE_INVALID: 3,
  ARCHIVE_UNTRUSTED: 3,
  VERIFICATION_FAILED: 3,
  /** Signed evidence that is valid but about another image (statement subject or signed manifest digest). */
  SUBJECT_MISMATCH: 3,
  HOSTILE_INPUT: 3,
  /** Data that would silently weaken a check (an import of no or far fewer records); `--force` overrides. */
  IMPORT_REFUSED: 3,
  /** A signing key that cannot be used: wrong password, corrupt or unsupported key file. */
  KEY_INVALID: 2,
  NETWORK: 4,
  /**
   * The server answered, but not with a file a signed index or a lock names (404/410 from every URL): Debian's
   * archive drops superseded versions. A network status, as the file is unavailable here, not the input invalid.
   */
  NOT_SERVED: 4,
  REGISTRY_UNAVAILABLE: 4,
  REGISTRY_DENIED: 4,
  RUNTIME_UNAVAILABLE: 4,
  /** SIGINT/SIGTERM aborted the command (ctx.signal's reason); the CLI exits 128 + the signal number. */
  INTERRUPTED: 130,
  /** Local storage cannot be written: disk full, read-only, no permission (sysexits EX_IOERR). */
  STORAGE: 74,
  INTERNAL: 70,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorExtra {
  hint?: string;
  cause?: unknown;
  /** Set by transport layers from a fixed list (timeouts, 408, 429, 5xx); retry wrappers read only this. */
  retryable?: boolean;
  /** Seconds to wait before retrying, e.g. from Retry-After. */
  retryAfter?: number;
}

export class IroncladError extends Error {
  override readonly name = 'IroncladError';
  readonly hint: string | undefined;
  readonly retryable: boolean;
  readonly retryAfter: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    extra: ErrorExtra = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.hint = extra.hint;
    this.retryable = extra.retryable ?? false;
    this.retryAfter = extra.retryAfter;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code];
  }
}

/** Throws an IroncladError; typed `never` so it narrows at call sites. */
export function fail(code: ErrorCode, message: string, extra?: ErrorExtra): never {
  throw new IroncladError(code, message, extra);
}

export function isIroncladError(err: unknown, code?: ErrorCode): err is IroncladError {
  return err instanceof IroncladError && (code === undefined || err.code === code);
}

/** Exhaustiveness guard for discriminated unions: adding a variant fails to compile where it is not handled. */
export function assertNever(x: never): never {
  throw new IroncladError('INTERNAL', `unexpected variant: ${JSON.stringify(x)}`);
}

/**
 * Wraps an unknown error once at a module boundary, keeping an existing IroncladError as it is; a full or
 * read-only disk stays a STORAGE error whatever `code` the caller had in mind.
 */
export function wrapError(err: unknown, code: ErrorCode, message: string, hint?: string, path?: string): IroncladError {
  if (err instanceof IroncladError) return err;
  const storage = storageError(err, path);
  if (storage !== undefined) return storage;
  const detail = err instanceof Error ? err.message : String(err);
  return new IroncladError(code, `${message}: ${detail}`, hint === undefined ? { cause: err } : { cause: err, hint });
}

/*
 * Local storage that cannot take a write (a full disk, a read-only or foreign-owned IRONCLAD_HOME or temp dir)
 * is neither a bug nor a network problem: it gets its own code (STORAGE) and a hint naming the place.
 */

/** System error codes (errno names, and SQLite's result codes from better-sqlite3) that mean "cannot write here". */
const PROBLEMS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EMFILE: 'too many open files',
  SQLITE_FULL: 'no space left on the device',
  SQLITE_READONLY: 'the database is read-only',
  SQLITE_CANTOPEN: 'the database cannot be opened',
  SQLITE_IOERR: 'an I/O error',
};

const HINT =
  'free space on that file system, or make it writable; IRONCLAD_HOME sets where the store, caches and ' +
  'database live, TMPDIR where temporary files go';

/**
 * The STORAGE error for a file system or database error that says local storage cannot be written, or undefined
 * for anything else. EACCES and EPERM count only from file system calls (they carry a path or an fs syscall).
 * `fallbackPath` names the place for errors that carry none (SQLite's).
 */
export function storageError(err: unknown, fallbackPath?: string): IroncladError | undefined {
  if (!(err instanceof Error)) return undefined;
  const { path, syscall } = err as { code?: unknown; path?: unknown; syscall?: unknown };
  const code = mkdirRefusal(err) ?? (err as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  const key = Object.keys(PROBLEMS).find((k) => code === k || code.startsWith(`${k}_`));
  if (key === undefined) return undefined;
  const where = typeof path === 'string' ? path : fallbackPath;
  if ((key === 'EACCES' || key === 'EPERM') && typeof path !== 'string' && typeof syscall !== 'string')
    return undefined;
  const action = typeof syscall === 'string' ? `${syscall} ` : '';
  const subject =
    where === undefined ? (key.startsWith('SQLITE') ? 'writing the database' : 'writing') : `${action}${where}`;
  return new IroncladError('STORAGE', `${subject}: ${PROBLEMS[key]} (${code})`, { cause: err, hint: HINT });
}

/**
 * Node's recursive mkdir reports ENOENT when a parent cannot be created on a read-only or foreign-owned file
 * system; asking the nearest existing ancestor for write access (access(2), which answers EROFS even for root)
 * tells the real reason. Undefined when that ancestor is writable (a genuine ENOENT).
 */
function mkdirRefusal(err: Error): string | undefined {
  const { code, path, syscall } = err as { code?: unknown; path?: unknown; syscall?: unknown };
  if (code !== 'ENOENT' || syscall !== 'mkdir' || typeof path !== 'string') return undefined;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (existsSync(dir)) {
      try {
        accessSync(dir, constants.W_OK);
        return undefined;
      } catch (e) {
        const c = (e as { code?: unknown }).code;
        return typeof c === 'string' ? c : undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}
