import { fail } from '../core/index.ts';
import type { DependencyGroup, Relation, RelationOp } from './types.ts';
import { isValidVersion } from './version.ts';

/**
 * Relationship fields (Debian Policy §7.1): `Depends`, `Pre-Depends`, `Provides`, `Conflicts`, `Breaks`, ...
 * `a (>= 1) | b:any, c [amd64] <!nocheck>` — groups separated by `,`, alternatives by `|`.
 */

export interface RelationParseOptions {
  /**
   * Architecture to evaluate `[arch ...]` restrictions against (Policy §7.1). Alternatives restricted away are
   * dropped, and a group left empty is dropped, as dpkg-gencontrol does. When absent, restrictions are ignored
   * and every alternative is kept.
   */
  readonly architecture?: string;
  /** Field name for error messages, e.g. `Depends of python3.11`. */
  readonly what?: string;
  /**
   * Shares parsed groups between calls. The same groups (`libc6 (>= 2.34)`) recur across a whole index, and
   * sharing them saves most of the allocation of parsing one. Callers parsing many fields pass one cache.
   */
  readonly cache?: RelationCache;
}

/**
 * Parsed dependency groups by architecture and source text, for {@link RelationParseOptions.cache}. The groups
 * handed out are shared: treat them as immutable (their types are readonly). Bounded, so hostile input cannot
 * grow it without limit.
 */
export class RelationCache {
  private readonly byArch = new Map<string, Map<string, DependencyGroup>>();
  private size = 0;
  constructor(private readonly limit = 100_000) {}

  get(arch: string | undefined, text: string): DependencyGroup | undefined {
    return this.byArch.get(arch ?? '')?.get(text);
  }
  set(arch: string | undefined, text: string, group: DependencyGroup): void {
    if (this.size >= this.limit) {
      this.byArch.clear();
      this.size = 0;
    }
    let m = this.byArch.get(arch ?? '');
    if (m === undefined) {
      m = new Map();
      this.byArch.set(arch ?? '', m);
    }
    m.set(text, group);
    this.size++;
  }
}

/** Longest field accepted; the longest real Depends fields are a few KB. */
const MAX_FIELD_LENGTH = 1024 * 1024;

/**
 * Parses a dependency-style field (`Depends`, `Pre-Depends`, `Recommends`, ...) into groups of alternatives:
 * `name[:qualifier] [(op version)] [[arch ...]] [<profile ...>...]` per alternative, with blanks (and the newlines
 * of continuation lines) allowed between parts. Legacy `<` and `>` mean `<=` and `>=`, as dpkg reads them.
 * Build profile lists (`<!nocheck>`) are ignored: binary indices never carry them. A stray or trailing comma is
 * tolerated. An empty or blank field gives `[]`. Throws INVALID_INPUT for malformed relations or versions.
 */
export function parseDependencies(field: string, opts: RelationParseOptions = {}): DependencyGroup[] {
  const what = opts.what ?? 'relationship field';
  if (field.length > MAX_FIELD_LENGTH) fail('INVALID_INPUT', `${what} is longer than ${MAX_FIELD_LENGTH} characters`);
  // A hand-written scanner rather than split + regex: a Packages index has ~300k relations, and this is the
  // hot path of parsing one (it allocates only the names, versions and result objects).
  const sc = new Scanner(field, what);
  const cache = opts.cache;
  const groups: DependencyGroup[] = [];
  let group: Relation[] = [];
  let alternatives = 0;
  let key: string | undefined;
  for (;;) {
    sc.skipBlanks();
    if (sc.atEnd()) break;
    const c = sc.peek();
    if (c === COMMA && alternatives === 0) {
      sc.pos++; // an empty group: stray or trailing comma
      continue;
    }
    if (cache !== undefined && alternatives === 0) {
      // No part of a relation may contain a comma, so the group's text runs to the next one.
      const end = field.indexOf(',', sc.pos);
      key = field.slice(sc.pos, end < 0 ? field.length : end);
      const hit = cache.get(opts.architecture, key);
      if (hit !== undefined) {
        if (hit.length > 0) groups.push(hit);
        sc.pos += key.length + 1;
        continue;
      }
    }
    const rel = parseAlternative(sc, opts.architecture);
    alternatives++;
    if (rel !== undefined) group.push(rel);
    sc.skipBlanks();
    const sep = sc.atEnd() ? COMMA : sc.peek();
    if (sep === PIPE) {
      sc.pos++;
      sc.skipBlanks();
      if (sc.atEnd() || sc.peek() === COMMA || sc.peek() === PIPE) sc.bad('empty alternative after "|"');
      continue;
    }
    if (sep !== COMMA) sc.bad(`unexpected "${String.fromCharCode(sep)}"`);
    sc.pos++;
    // A group whose alternatives were all restricted away for this architecture is dropped (dpkg-gencontrol).
    if (group.length > 0) groups.push(group);
    if (key !== undefined) cache?.set(opts.architecture, key, group);
    group = [];
    alternatives = 0;
    key = undefined;
  }
  return groups;
}

const COMMA = 0x2c;
const PIPE = 0x7c;

class Scanner {
  pos = 0;
  constructor(
    readonly text: string,
    readonly what: string,
  ) {}
  atEnd(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): number {
    return this.text.charCodeAt(this.pos);
  }
  skipBlanks(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.pos++;
    }
  }
  /** Consumes characters while `ok` holds; returns the start offset. */
  takeWhile(ok: (c: number) => boolean): number {
    const start = this.pos;
    while (this.pos < this.text.length && ok(this.text.charCodeAt(this.pos))) this.pos++;
    return start;
  }
  expect(c: number): void {
    if (this.peek() !== c) this.bad(`expected "${String.fromCharCode(c)}"`);
    this.pos++;
  }
  bad(problem: string): never {
    const near = this.text.slice(Math.max(0, this.pos - 30), this.pos + 30).replace(/\s+/g, ' ');
    return fail('INVALID_INPUT', `${this.what}: ${problem} near "${near}"`);
  }
}

const isLowerAlnum = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
// Package names (Policy §5.6.1): lower-case letters, digits, `+`, `-`, `.`, starting with an alphanumeric.
const isNameChar = (c: number): boolean => isLowerAlnum(c) || c === 0x2b || c === 0x2d || c === 0x2e;
const isQualifierChar = (c: number): boolean => isLowerAlnum(c) || c === 0x2d;
const isVersionChar = (c: number): boolean =>
  c > 0x20 && c !== 0x28 && c !== 0x29 && c !== COMMA && c !== PIPE && c !== 0x5b && c !== 0x5d;
const isOpChar = (c: number): boolean => c === 0x3c || c === 0x3d || c === 0x3e;
// Lists stop at separators too, so an unclosed `[` or `<` is an error rather than swallowing the next relation.
const notClosingBracket = (c: number): boolean => c !== 0x5d && c !== COMMA && c !== PIPE;
const notClosingAngle = (c: number): boolean => c !== 0x3e && c !== COMMA && c !== PIPE;

/** One alternative; undefined when an `[arch]` restriction excludes it for `arch`. */
function parseAlternative(sc: Scanner, arch: string | undefined): Relation | undefined {
  if (!isLowerAlnum(sc.peek())) sc.bad('expected a package name');
  const nameStart = sc.takeWhile(isNameChar);
  const rel: { name: string; archQualifier?: string; op?: RelationOp; version?: string } = {
    name: sc.text.slice(nameStart, sc.pos),
  };
  if (sc.peek() === 0x3a) {
    sc.pos++;
    const qStart = sc.takeWhile(isQualifierChar);
    if (sc.pos === qStart) sc.bad('empty architecture qualifier');
    rel.archQualifier = sc.text.slice(qStart, sc.pos);
  }
  sc.skipBlanks();
  if (sc.peek() === 0x28) {
    sc.pos++;
    sc.skipBlanks();
    const opStart = sc.takeWhile(isOpChar);
    rel.op = normalizeOp(sc.text.slice(opStart, sc.pos), sc);
    sc.skipBlanks();
    const vStart = sc.takeWhile(isVersionChar);
    const version = sc.text.slice(vStart, sc.pos);
    if (!isValidVersion(version)) sc.bad(`invalid version "${version}"`);
    rel.version = version;
    sc.skipBlanks();
    sc.expect(0x29);
    sc.skipBlanks();
  }
  let allowed = true;
  if (sc.peek() === 0x5b) {
    sc.pos++;
    const start = sc.takeWhile(notClosingBracket);
    const list = sc.text.slice(start, sc.pos);
    sc.expect(0x5d);
    if (arch !== undefined) allowed = archListAllows(list, arch, sc);
    sc.skipBlanks();
  }
  while (sc.peek() === 0x3c) {
    sc.pos++;
    sc.takeWhile(notClosingAngle);
    sc.expect(0x3e);
    sc.skipBlanks();
  }
  return allowed ? rel : undefined;
}

const OPS: ReadonlyMap<string, RelationOp> = new Map<string, RelationOp>([
  ['<<', '<<'],
  ['<=', '<='],
  ['=', '='],
  ['>=', '>='],
  ['>>', '>>'],
  // dpkg still reads the obsolete `<` and `>` as `<=` and `>=` (deb-control(5), "obsolete forms").
  ['<', '<='],
  ['>', '>='],
]);

function normalizeOp(op: string, sc: Scanner): RelationOp {
  return OPS.get(op) ?? sc.bad(`unknown version relation "${op}"`);
}

/**
 * Parses a field that allows no alternatives (`Provides`, `Conflicts`, `Breaks`, `Replaces`) into a flat list.
 * Throws INVALID_INPUT when a `|` appears, or for the same problems as {@link parseDependencies}.
 */
export function parseRelationList(field: string, opts: RelationParseOptions = {}): Relation[] {
  const out: Relation[] = [];
  for (const group of parseDependencies(field, opts)) {
    if (group.length !== 1)
      fail('INVALID_INPUT', `${opts.what ?? 'relationship field'}: alternatives ("|") are not allowed`);
    out.push(group[0]!);
  }
  return out;
}

/**
 * Parses `Provides` (Policy §7.5): like {@link parseRelationList}, but a version, if any, must use `=`.
 */
export function parseProvides(field: string, opts: RelationParseOptions = {}): Relation[] {
  const list = parseRelationList(field, opts);
  for (const r of list) {
    if (r.op !== undefined && r.op !== '=') {
      fail('INVALID_INPUT', `${opts.what ?? 'Provides'}: "${formatRelation(r)}" — only "=" is allowed in Provides`);
    }
  }
  return list;
}

/**
 * Evaluates `[a b]` (any of) or `[!a !b]` (none of); Policy §7.1 forbids mixing the two forms.
 * Entries may be wildcards such as `linux-any` or `any-amd64` (see {@link archMatches}).
 */
function archListAllows(list: string, arch: string, sc: Scanner): boolean {
  const items = list
    .trim()
    .split(/\s+/)
    .filter((s) => s.length > 0);
  if (items.length === 0) sc.bad('empty architecture restriction');
  const negated = items.filter((s) => s.startsWith('!')).length;
  if (negated !== 0 && negated !== items.length) sc.bad('architecture restriction mixes positive and negated entries');
  if (negated > 0) return !items.some((s) => archMatches(arch, s.slice(1)));
  return items.some((s) => archMatches(arch, s));
}

// Debian architectures whose CPU name in a wildcard differs from the architecture name (dpkg's cputable/tupletable).
const ARCH_CPU: Readonly<Record<string, string>> = { armhf: 'arm', armel: 'arm' };

/**
 * True when Debian architecture `arch` matches `pattern`: the same name, `any`, or an `os-cpu` wildcard with
 * either half `any` (e.g. `linux-any`, `any-amd64`). Plain Debian architecture names are Linux ones; names
 * with an OS prefix (`hurd-amd64`, `kfreebsd-i386`) carry their OS.
 */
export function archMatches(arch: string, pattern: string): boolean {
  if (pattern === arch || pattern === 'any') return true;
  const dash = pattern.indexOf('-');
  if (dash < 0) return false;
  const pOs = pattern.slice(0, dash);
  const pCpu = pattern.slice(dash + 1);
  const aDash = arch.indexOf('-');
  const aOs = aDash < 0 ? 'linux' : arch.slice(0, aDash);
  const aName = aDash < 0 ? arch : arch.slice(aDash + 1);
  const aCpu = ARCH_CPU[aName] ?? aName;
  return (pOs === 'any' || pOs === aOs) && (pCpu === 'any' || pCpu === aCpu);
}

/** Renders a relation the way control files write it: `name[:qual] (op version)`. */
export function formatRelation(r: Relation): string {
  const name = r.archQualifier === undefined ? r.name : `${r.name}:${r.archQualifier}`;
  return r.op === undefined ? name : `${name} (${r.op} ${r.version})`;
}

/** Renders a group of alternatives joined by ` | `. */
export function formatDependencyGroup(group: DependencyGroup): string {
  return group.map(formatRelation).join(' | ');
}
