import { fail } from '../core/index.ts';

/**
 * deb822 control data (Debian Policy §5.1): paragraphs of `Name: value` fields separated by blank lines,
 * used by Packages indices, Release files, DEBIAN/control and dpkg's status database.
 */

/** One paragraph. Field names keep their original spelling and order; lookups ignore case (Policy §5.1). */
export interface ControlParagraph {
  /** Fields in their original order and spelling; multi-line values keep their continuation lines. */
  readonly fields: ReadonlyMap<string, string>;
  /** Case-insensitive lookup; `undefined` when the field is absent. */
  get(name: string): string | undefined;
  /** 1-based line number of the paragraph's first field, for error messages. */
  readonly line: number;
}

export interface ControlParseOptions {
  /**
   * Accept `#` comment lines. Policy §5.1 allows them only in source package control files (debian/control);
   * everywhere else (Packages, DEBIAN/control, status) a line starting with `#` is malformed. Default false.
   */
  readonly allowComments?: boolean;
  /** Reject input longer than this many UTF-16 code units. Default {@link DEFAULT_MAX_CONTROL_LENGTH}. */
  readonly maxLength?: number;
  /** What is being parsed, for error messages (e.g. `Packages for bookworm/main`). */
  readonly what?: string;
}

/** Large enough for any Debian Packages index (bookworm main amd64 is ~45 MB), small enough to bound memory. */
export const DEFAULT_MAX_CONTROL_LENGTH = 256 * 1024 * 1024;
/** No real paragraph has this many fields; a limit stops a hostile file from building huge maps. */
const MAX_FIELDS_PER_PARAGRAPH = 1000;

/**
 * The fields of one paragraph as a read-only map over a flat `[name, value, name, value, ...]` array.
 * A Packages index has ~60k paragraphs of ~20 fields; a hash map per paragraph costs several times the memory
 * and garbage-collection time of this array, and a linear scan of 20 names is as fast as hashing.
 */
class FieldList implements ReadonlyMap<string, string> {
  constructor(private readonly kv: string[]) {}

  get size(): number {
    return this.kv.length / 2;
  }
  get(name: string): string | undefined {
    const kv = this.kv;
    for (let i = 0; i < kv.length; i += 2) if (kv[i] === name) return kv[i + 1];
    return undefined;
  }
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  forEach(cb: (value: string, key: string, map: ReadonlyMap<string, string>) => void, thisArg?: unknown): void {
    for (const [k, v] of this) cb.call(thisArg, v, k, this);
  }
  *entries(): MapIterator<[string, string]> {
    for (let i = 0; i < this.kv.length; i += 2) yield [this.kv[i]!, this.kv[i + 1]!];
  }
  *keys(): MapIterator<string> {
    for (let i = 0; i < this.kv.length; i += 2) yield this.kv[i]!;
  }
  *values(): MapIterator<string> {
    for (let i = 1; i < this.kv.length; i += 2) yield this.kv[i]!;
  }
  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }
  /** Case-insensitive lookup (Policy §5.1: field names are not case-sensitive). */
  find(name: string): string | undefined {
    const exact = this.get(name);
    if (exact !== undefined) return exact;
    const kv = this.kv;
    let lower: string | undefined;
    for (let i = 0; i < kv.length; i += 2) {
      const k = kv[i]!;
      if (k.length !== name.length) continue;
      lower ??= name.toLowerCase();
      if (k.toLowerCase() === lower) return kv[i + 1];
    }
    return undefined;
  }
}

class Paragraph implements ControlParagraph {
  readonly fields: FieldList;
  constructor(
    kv: string[],
    readonly line: number,
  ) {
    this.fields = new FieldList(kv);
  }
  get(name: string): string | undefined {
    return this.fields.find(name);
  }
}

/**
 * Field names already seen in this input, by length. The same ~30 names repeat in every paragraph of an index;
 * matching them in place avoids allocating a million short strings, and reuses their validated lower-case form.
 */
type KnownNames = Map<number, { name: string; lower: string }[]>;
const MAX_KNOWN_NAMES = 256;

function knownName(names: KnownNames, text: string, pos: number, length: number) {
  const bucket = names.get(length);
  if (bucket === undefined) return undefined;
  for (const k of bucket) if (text.startsWith(k.name, pos)) return k;
  return undefined;
}

function rememberName(names: KnownNames, name: string, lower: string): void {
  const bucket = names.get(name.length);
  if (bucket === undefined) names.set(name.length, [{ name, lower }]);
  else if (bucket.length < MAX_KNOWN_NAMES) bucket.push({ name, lower });
}

function lineNumberAt(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** End of the line content with trailing blanks (and a CR from CRLF files) removed. */
function trimEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start) {
    const c = text.charCodeAt(e - 1);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
    e--;
  }
  return e;
}

// Policy §5.1: a field name is printable US-ASCII except space and colon, and does not start with `#` or `-`.
const FIELD_NAME_RE = /^[!"$-,.-9;-~][!-9;-~]*$/;

/**
 * Parses deb822 text lazily, yielding one paragraph at a time, so callers can convert and drop each paragraph
 * without holding a second copy of the whole file.
 *
 * Values: the text after the colon with surrounding blanks removed; continuation lines (starting with a space or
 * tab) are appended after a `\n`, keeping their leading blank and losing trailing blanks. Blank lines (empty or
 * only spaces/tabs) separate paragraphs. Throws INVALID_INPUT, naming the line, for a line that is neither a field
 * nor a continuation, a continuation before any field, an invalid or duplicate field name, or input over the limit.
 */
export function* iterateParagraphs(text: string, opts: ControlParseOptions = {}): Generator<ControlParagraph> {
  const what = opts.what ?? 'control data';
  const maxLength = opts.maxLength ?? DEFAULT_MAX_CONTROL_LENGTH;
  if (text.length > maxLength) fail('INVALID_INPUT', `${what} is larger than the limit of ${maxLength} characters`);
  const bad = (offset: number, problem: string): never =>
    fail('INVALID_INPUT', `${what}, line ${lineNumberAt(text, offset)}: ${problem}`);

  let kv: string[] = [];
  // Lower-cased names of the current paragraph, for case-insensitive duplicate detection; reused across paragraphs.
  const seen = new Set<string>();
  const names: KnownNames = new Map();
  let firstLine = 0;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0; // tolerate a UTF-8 byte order mark
  let lineNo = 1;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const c = text.charCodeAt(pos);
    if (c === 0x20 || c === 0x09) {
      if (isBlank(text, pos, nl)) {
        if (kv.length > 0) yield new Paragraph(kv, firstLine);
        kv = [];
        seen.clear();
      } else {
        if (kv.length === 0) bad(pos, 'continuation line without a field');
        kv[kv.length - 1] += `\n${text.slice(pos, trimEnd(text, pos, nl))}`;
      }
    } else if (nl === pos || (c === 0x0d && nl === pos + 1)) {
      if (kv.length > 0) yield new Paragraph(kv, firstLine);
      kv = [];
      seen.clear();
    } else if (c === 0x23 && opts.allowComments === true) {
      // Policy §5.1: comment lines are ignored, even between continuation lines.
    } else {
      const colon = text.indexOf(':', pos);
      if (colon < 0 || colon > nl) bad(pos, 'expected "Field: value"');
      const known = knownName(names, text, pos, colon - pos);
      let name: string;
      let lower: string;
      if (known !== undefined) {
        name = known.name;
        lower = known.lower;
      } else {
        name = text.slice(pos, colon);
        if (!FIELD_NAME_RE.test(name)) bad(pos, `invalid field name "${name.slice(0, 80)}"`);
        lower = name.toLowerCase();
        rememberName(names, name, lower);
      }
      if (seen.has(lower)) bad(pos, `duplicate field "${name}"`);
      seen.add(lower);
      if (kv.length >= 2 * MAX_FIELDS_PER_PARAGRAPH) bad(pos, `more than ${MAX_FIELDS_PER_PARAGRAPH} fields`);
      let vs = colon + 1;
      while (vs < nl && (text.charCodeAt(vs) === 0x20 || text.charCodeAt(vs) === 0x09)) vs++;
      if (kv.length === 0) firstLine = lineNo;
      const value = text.slice(vs, trimEnd(text, vs, nl));
      kv.push(name, value);
    }
    pos = nl + 1;
    lineNo++;
  }
  if (kv.length > 0) yield new Paragraph(kv, firstLine);
}

/** Parses all paragraphs at once; see {@link iterateParagraphs} for the rules and errors. */
export function parseControl(text: string, opts: ControlParseOptions = {}): ControlParagraph[] {
  return [...iterateParagraphs(text, opts)];
}

/**
 * Parses text that must hold exactly one paragraph (DEBIAN/control, a status.d file).
 * Throws INVALID_INPUT when there are none or several.
 */
export function parseSingleParagraph(text: string, opts: ControlParseOptions = {}): ControlParagraph {
  const all = parseControl(text, opts);
  if (all.length !== 1) {
    fail('INVALID_INPUT', `${opts.what ?? 'control data'}: expected one paragraph, found ${all.length}`);
  }
  return all[0]!;
}

/**
 * Writes one paragraph back as deb822 text, fields in the given order, ending with a newline.
 * Values use the representation {@link iterateParagraphs} produces: continuation lines after `\n`, each starting
 * with a space or tab. A value starting with `\n` (e.g. `Conffiles`) is written with nothing after the colon.
 * Throws INVALID_INPUT for an invalid field name or a value whose continuation lines would break the paragraph
 * (empty or blank lines, or lines not starting with a blank); Policy §5.6.13 uses ` .` for an empty line.
 */
export function serializeParagraph(fields: ReadonlyMap<string, string> | Iterable<readonly [string, string]>): string {
  let out = '';
  const seen = new Set<string>();
  for (const [name, value] of fields) {
    if (!FIELD_NAME_RE.test(name)) fail('INVALID_INPUT', `cannot write field "${name}": invalid field name`);
    const lower = name.toLowerCase();
    if (seen.has(lower)) fail('INVALID_INPUT', `cannot write field "${name}" twice in one paragraph`);
    seen.add(lower);
    const lines = value.split('\n');
    const first = lines[0] ?? '';
    if (first !== first.trim()) fail('INVALID_INPUT', `cannot write field "${name}": first line has outer blanks`);
    for (const cont of lines.slice(1)) {
      if (!/^[ \t]/.test(cont) || cont.trim().length === 0) {
        fail(
          'INVALID_INPUT',
          `cannot write field "${name}": continuation lines must start with a blank and not be empty`,
        );
      }
    }
    out += first.length === 0 ? `${name}:` : `${name}: ${first}`;
    for (const cont of lines.slice(1)) out += `\n${cont}`;
    out += '\n';
  }
  return out;
}

/** Writes several paragraphs separated by blank lines (the Packages / status file layout). */
export function serializeParagraphs(
  paragraphs: Iterable<ReadonlyMap<string, string> | Iterable<readonly [string, string]>>,
): string {
  const parts: string[] = [];
  for (const p of paragraphs) parts.push(serializeParagraph(p));
  return parts.join('\n');
}
