import { fail } from '../core/index.ts';
import { parseSingleParagraph } from './control.ts';

/**
 * The Release file of a suite (Debian Repository Format, "Release files" on wiki.debian.org/DebianRepository/Format):
 * one deb822 paragraph naming the suite, its date and validity, and the hashes of every index below `dists/<suite>/`.
 * Only the content of a verified InRelease may be given to {@link parseRelease}; nothing here checks signatures.
 */
export interface ReleaseFile {
  readonly origin: string | undefined;
  readonly label: string | undefined;
  /** `Suite:` (e.g. `oldstable`, `oldstable-security`); may be absent in small third-party archives. */
  readonly suite: string | undefined;
  /** `Codename:` (e.g. `bookworm`, `bookworm-security`). */
  readonly codename: string | undefined;
  readonly version: string | undefined;
  /** `Date:` exactly as written; lockfiles keep this text. */
  readonly dateRaw: string;
  readonly date: Date;
  /** `Valid-Until:`; after it the file must be treated as expired (a replay defence). */
  readonly validUntil: Date | undefined;
  readonly architectures: readonly string[];
  /** As written; the security archive lists `updates/main` for the `main` directory. */
  readonly components: readonly string[];
  /** `Acquire-By-Hash: yes`: indices are also served under `by-hash/SHA256/<hex>`, immune to mirror-update races. */
  readonly acquireByHash: boolean;
  /**
   * `No-Support-for-Architecture-all: Packages`: `Architecture: all` packages are listed in every
   * `binary-<arch>/Packages`, so `binary-all` must not be read as well (it would duplicate them).
   */
  readonly archAllInArchIndices: boolean;
  /** The `SHA256:` list: path relative to `dists/<suite>/` → size and digest. */
  readonly files: ReadonlyMap<string, ReleaseFileEntry>;
}

export interface ReleaseFileEntry {
  readonly size: number;
  readonly sha256: string;
}

/** Release files of the Debian archive are ~150 KB; this leaves room for big third-party archives. */
export const MAX_RELEASE_LENGTH = 16 * 1024 * 1024;
/** No archive lists this many index files; bounds the map a hostile file could make us build. */
const MAX_FILE_ENTRIES = 100_000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// RFC 2822 date as written by `date -uR`; the repository format allows only the zones +0000, UTC, GMT and Z.
const DATE_RE =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (\+0000|UTC|GMT|Z)$/;
const SHA256_LINE_RE = /^([0-9a-f]{64})\s+(\d{1,15})\s+(\S+)$/;
const WORD_LIST_RE = /^[A-Za-z0-9][A-Za-z0-9._/+-]*$/;

/**
 * Parses the text of a Release file. `what` names it in errors (e.g. `bookworm-security`).
 * Throws INVALID_INPUT for a missing or malformed Date, Architectures, Components or SHA256 field, a bad
 * Valid-Until, a malformed SHA256 line, or a path that could leave `dists/<suite>/`.
 */
export function parseRelease(text: string, what: string): ReleaseFile {
  const p = parseSingleParagraph(text, { what: `${what}: Release`, maxLength: MAX_RELEASE_LENGTH });
  const bad = (msg: string): never => fail('INVALID_INPUT', `${what}: Release ${msg}`);
  const dateRaw = p.get('Date') ?? bad('has no Date field');
  const validRaw = p.get('Valid-Until');
  return {
    origin: p.get('Origin'),
    label: p.get('Label'),
    suite: p.get('Suite'),
    codename: p.get('Codename'),
    version: p.get('Version'),
    dateRaw,
    date: parseReleaseDate(dateRaw) ?? bad(`has an invalid Date "${dateRaw.slice(0, 60)}"`),
    validUntil:
      validRaw === undefined
        ? undefined
        : (parseReleaseDate(validRaw) ?? bad(`has an invalid Valid-Until "${validRaw.slice(0, 60)}"`)),
    architectures: words(p.get('Architectures') ?? bad('has no Architectures field'), 'Architectures', bad),
    components: words(p.get('Components') ?? bad('has no Components field'), 'Components', bad),
    acquireByHash: p.get('Acquire-By-Hash')?.trim().toLowerCase() === 'yes',
    archAllInArchIndices: (p.get('No-Support-for-Architecture-all') ?? '').split(/\s+/).includes('Packages'),
    files: parseSha256List(p.get('SHA256') ?? bad('has no SHA256 field'), bad),
  };
}

/** Parses a Release `Date`/`Valid-Until` value; `undefined` when it is not in the required RFC 2822 UTC form. */
export function parseReleaseDate(s: string): Date | undefined {
  const m = DATE_RE.exec(s.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2]!);
  if (month < 0) return undefined;
  const [day, year, hh, mm, ss] = [m[1], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const d = new Date(Date.UTC(year, month, day, hh, mm, ss));
  // Date.UTC rolls 31 Feb over into March; a real Release date never needs that, so reject it.
  if (d.getUTCDate() !== day || hh > 23 || mm > 59 || ss > 60) return undefined;
  return d;
}

function words(value: string, field: string, bad: (msg: string) => never): string[] {
  const list = value.split(/\s+/).filter((w) => w !== '');
  if (list.length === 0) bad(`has an empty ${field} field`);
  for (const w of list) if (!WORD_LIST_RE.test(w)) bad(`has an invalid ${field} entry "${w.slice(0, 40)}"`);
  return list;
}

function parseSha256List(value: string, bad: (msg: string) => never): Map<string, ReleaseFileEntry> {
  const files = new Map<string, ReleaseFileEntry>();
  for (const raw of value.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const m = SHA256_LINE_RE.exec(line) ?? bad(`has a malformed SHA256 line "${line.slice(0, 100)}"`);
    const path = m[3]!;
    if (path.startsWith('/') || path.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      bad(`lists an unsafe path "${path.slice(0, 100)}"`);
    }
    if (files.size >= MAX_FILE_ENTRIES) bad(`lists more than ${MAX_FILE_ENTRIES} files`);
    if (files.has(path)) bad(`lists "${path}" twice`);
    files.set(path, { sha256: m[1]!, size: Number(m[2]) });
  }
  if (files.size === 0) bad('has an empty SHA256 field');
  return files;
}
