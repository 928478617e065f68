import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fail, writeFileAtomic } from '../core/index.ts';
import type { LoadedDefinition } from './load.ts';
import { LockfileSchema } from './lockfile-schema.ts';
import type { LockedPackage, LockedPlatform, LockedSuite, LockedVariant, Lockfile } from './lockfile-types.ts';

/** The lockfile's name; it sits beside the definition it locks. */
export const LOCKFILE_NAME = 'ironclad.lock.json';
/**
 * A lock lists a few hundred packages per platform and variant; 32 MiB is two orders of magnitude above any
 * real one and still small enough to parse in memory.
 */
export const MAX_LOCKFILE_BYTES = 32 * 1024 * 1024;
const MAX_REPORTED = 50;

/** Path of the lockfile for a definition file: `ironclad.lock.json` in the same directory. */
export function lockPathFor(definitionPath: string): string {
  return join(dirname(definitionPath), LOCKFILE_NAME);
}

/**
 * Serialises a lockfile for committing: keys in the order lockfile-types.ts declares them, variants and
 * platforms sorted by name, packages by name then architecture, `excluded` sorted, suites kept in their
 * (priority) order; two-space indentation and a trailing newline. Equal locks give equal bytes, and a package
 * update changes only that package's lines.
 */
export function serializeLockfile(lock: Lockfile): string {
  const ordered: Lockfile = {
    lockfileVersion: lock.lockfileVersion,
    definitionDigest: lock.definitionDigest,
    name: lock.name,
    distro: lock.distro,
    variants: sortedRecord(lock.variants, orderVariant),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/**
 * Parses and validates lockfile text; `path` is used in messages. Throws INVALID_INPUT listing every problem
 * (malformed JSON, missing or unknown fields, bad digests), with a hint to re-lock.
 */
export function parseLockfile(text: string, path: string): Lockfile {
  if (text.length > MAX_LOCKFILE_BYTES) fail('INVALID_INPUT', `${path} is larger than ${MAX_LOCKFILE_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    fail('INVALID_INPUT', `${path} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, {
      hint: relockHint(path),
      cause: err,
    });
  }
  const parsed = LockfileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
    const shown = problems.slice(0, MAX_REPORTED);
    const more = problems.length > shown.length ? `\n  ... and ${problems.length - shown.length} more` : '';
    fail('INVALID_INPUT', `${path} is not a valid lockfile:\n  ${shown.join('\n  ')}${more}`, {
      hint: relockHint(path),
    });
  }
  return parsed.data;
}

/**
 * Reads `ironclad.lock.json` from an image directory. Throws LOCK_MISSING when there is none, INVALID_INPUT
 * when it is malformed or too large.
 */
export async function readLockfile(dir: string): Promise<Lockfile> {
  const path = join(dir, LOCKFILE_NAME);
  const fh = await open(path, 'r').catch((err: unknown) => {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return fail(missing ? 'LOCK_MISSING' : 'INVALID_INPUT', `${missing ? 'no lockfile' : 'cannot read'} ${path}`, {
      hint: `run: ironclad lock ${dir}`,
      cause: err,
    });
  });
  try {
    const { size } = await fh.stat();
    if (size > MAX_LOCKFILE_BYTES) fail('INVALID_INPUT', `${path} is larger than ${MAX_LOCKFILE_BYTES} bytes`);
    return parseLockfile(await fh.readFile('utf8'), path);
  } finally {
    await fh.close();
  }
}

/** Writes the lockfile into `dir` atomically (readers see the old or the new lock, never a torn one). */
export async function writeLockfile(dir: string, lock: Lockfile): Promise<string> {
  const path = join(dir, LOCKFILE_NAME);
  await writeFileAtomic(path, serializeLockfile(lock));
  return path;
}

/**
 * True when the lock was made from a different definition: the canonical digest of the definition document
 * changed (formatting and comments do not count) or the image name differs.
 */
export function isLockStale(lock: Lockfile, loaded: LoadedDefinition): boolean {
  return lock.definitionDigest !== loaded.digest || lock.name !== loaded.definition.name;
}

/** Throws LOCK_STALE, with the command that refreshes the lock, when {@link isLockStale}. */
export function assertLockFresh(lock: Lockfile, loaded: LoadedDefinition): void {
  if (!isLockStale(lock, loaded)) return;
  fail('LOCK_STALE', `${lockPathFor(loaded.path)} was made for a different version of ${loaded.path}`, {
    hint: `run: ironclad lock ${loaded.dir}`,
  });
}

function relockHint(path: string): string {
  return `regenerate it with: ironclad lock ${dirname(path)}`;
}

function orderVariant(v: LockedVariant): LockedVariant {
  return { platforms: sortedRecord(v.platforms, orderPlatform) };
}

function orderPlatform(p: LockedPlatform): LockedPlatform {
  return {
    platform: p.platform,
    architecture: p.architecture,
    suites: p.suites.map(orderSuite),
    packages: [...p.packages].sort(comparePackages).map(orderPackage),
    excluded: [...p.excluded].sort(compareStrings),
  };
}

function orderSuite(s: LockedSuite): LockedSuite {
  return { suite: s.suite, baseUrl: s.baseUrl, date: s.date, inReleaseSha256: s.inReleaseSha256 };
}

function orderPackage(p: LockedPackage): LockedPackage {
  return {
    name: p.name,
    version: p.version,
    architecture: p.architecture,
    source: p.source,
    sourceVersion: p.sourceVersion,
    suite: p.suite,
    filename: p.filename,
    size: p.size,
    sha256: p.sha256,
  };
}

function comparePackages(a: LockedPackage, b: LockedPackage): number {
  return compareStrings(a.name, b.name) || compareStrings(a.architecture, b.architecture);
}

/** Code-unit order, not localeCompare: the output must not depend on the machine's locale. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** fromEntries defines own properties, so even a key named `__proto__` stays data, never a prototype. */
function sortedRecord<T>(rec: Readonly<Record<string, T>>, map: (v: T) => T): Record<string, T> {
  return Object.fromEntries(
    Object.entries(rec)
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([k, v]) => [k, map(v)]),
  );
}
