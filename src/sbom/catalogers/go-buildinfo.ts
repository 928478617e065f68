import { fail } from '../../core/index.ts';

/**
 * Go build information embedded in binaries (Go's debug/buildinfo and runtime/debug.BuildInfo): a 32-byte
 * header starting `\xff Go buildinf:` (16-byte aligned, in the `.go.buildinfo` ELF section), then either
 * - Go ≥ 1.18 (flags bit 2): the Go version and module info inline, each a uvarint length and bytes; or
 * - older: two pointers (pointer size and byte order from the header) to Go string headers {data, len} that hold
 *   them, mapped to file offsets through the ELF PT_LOAD segments.
 * Module info is text: `path`, `mod`, `dep` and `=>` (replacement) lines, tab separated, wrapped in 16-byte
 * sentinels.
 */

export interface GoModule {
  readonly path: string;
  readonly version: string;
}

export interface GoBuildInfo {
  /** `go1.22.1`. */
  readonly goVersion: string;
  /** The `path` line: the main package's import path. */
  readonly path: string;
  /** The main module; absent for binaries built outside module mode. */
  readonly main?: GoModule;
  /** Dependencies with replacements applied, in file order. */
  readonly deps: readonly GoModule[];
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER = 32;
const ALIGN = 16;
/** Version and module strings are small; a bound keeps a corrupt length from reading the whole file. */
const MAX_STRING = 4 * 1024 * 1024;

interface Elf {
  readonly le: boolean;
  readonly is64: boolean;
  readonly buf: Buffer;
}

function u(elf: Elf, off: number, size: number): number {
  if (off < 0 || off + size > elf.buf.length) fail('INVALID_INPUT', 'truncated ELF structure');
  if (size === 2) return elf.le ? elf.buf.readUInt16LE(off) : elf.buf.readUInt16BE(off);
  if (size === 4) return elf.le ? elf.buf.readUInt32LE(off) : elf.buf.readUInt32BE(off);
  const v = elf.le ? elf.buf.readBigUInt64LE(off) : elf.buf.readBigUInt64BE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('INVALID_INPUT', 'ELF value out of range');
  return Number(v);
}

/** Whether the bytes start like an ELF file (System V ABI, e_ident). */
export function isElf(head: Uint8Array): boolean {
  return head.length >= 6 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

function openElf(bytes: Uint8Array): Elf | null {
  if (!isElf(bytes) || bytes.length < 64) return null;
  const cls = bytes[4];
  const data = bytes[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return null;
  return { le: data === 1, is64: cls === 2, buf: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/** File range of `.go.buildinfo`: undefined without section headers, offset -1 when they lack that section. */
function buildInfoSection(elf: Elf): { offset: number; size: number } | undefined {
  const w = elf.is64 ? 8 : 4;
  const shoff = u(elf, elf.is64 ? 40 : 32, w);
  const shentsize = u(elf, elf.is64 ? 58 : 46, 2);
  const shnum = u(elf, elf.is64 ? 60 : 48, 2);
  const shstrndx = u(elf, elf.is64 ? 62 : 50, 2);
  if (shoff === 0 || shnum === 0 || shstrndx >= shnum || shnum > 65535) return undefined;
  const sec = (i: number) => {
    const b = shoff + i * shentsize;
    return {
      name: u(elf, b, 4),
      offset: u(elf, b + (elf.is64 ? 24 : 16), w),
      size: u(elf, b + (elf.is64 ? 32 : 20), w),
    };
  };
  const strtab = sec(shstrndx);
  for (let i = 0; i < shnum; i++) {
    const s = sec(i);
    const start = strtab.offset + s.name;
    const end = elf.buf.indexOf(0, start);
    if (end < 0 || end > strtab.offset + strtab.size) continue;
    if (elf.buf.toString('latin1', start, end) === '.go.buildinfo') return { offset: s.offset, size: s.size };
  }
  return { offset: -1, size: 0 };
}

/** Virtual address → file offset through the PT_LOAD program headers. */
function fileOffset(elf: Elf, addr: number): number | undefined {
  const w = elf.is64 ? 8 : 4;
  const phoff = u(elf, elf.is64 ? 32 : 28, w);
  const phentsize = u(elf, elf.is64 ? 54 : 42, 2);
  const phnum = u(elf, elf.is64 ? 56 : 44, 2);
  for (let i = 0; i < phnum; i++) {
    const b = phoff + i * phentsize;
    if (u(elf, b, 4) !== 1) continue; // PT_LOAD
    const offset = u(elf, b + (elf.is64 ? 8 : 4), w);
    const vaddr = u(elf, b + (elf.is64 ? 16 : 8), w);
    const filesz = u(elf, b + (elf.is64 ? 32 : 16), w);
    if (addr >= vaddr && addr < vaddr + filesz) return addr - vaddr + offset;
  }
  return undefined;
}

function findMagic(buf: Buffer, from: number, to: number): number {
  for (let i = buf.indexOf(MAGIC, from); i >= 0 && i < to; i = buf.indexOf(MAGIC, i + 1)) {
    if (i % ALIGN === 0) return i;
  }
  return -1;
}

function uvarint(buf: Buffer, pos: number): { value: number; next: number } {
  let value = 0;
  for (let shift = 0, i = pos; shift < 63 && i < buf.length; shift += 7, i++) {
    const b = buf[i]!;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return { value, next: i + 1 };
  }
  return fail('INVALID_INPUT', 'Go build info: malformed varint');
}

function stringAt(buf: Buffer, start: number, len: number): string {
  if (len > MAX_STRING || start < 0 || start + len > buf.length) fail('INVALID_INPUT', 'Go build info: bad string');
  return buf.toString('utf8', start, start + len);
}

function readStrings(elf: Elf, at: number): { version: string; mod: string } {
  const buf = elf.buf;
  const ptrSize = buf[at + 14]!;
  const flags = buf[at + 15]!;
  if ((flags & 2) !== 0) {
    const v = uvarint(buf, at + HEADER);
    const version = stringAt(buf, v.next, v.value);
    const m = uvarint(buf, v.next + v.value);
    return { version, mod: stringAt(buf, m.next, m.value) };
  }
  if (ptrSize !== 4 && ptrSize !== 8) fail('INVALID_INPUT', `Go build info: pointer size ${ptrSize}`);
  const ptrElf: Elf = { ...elf, le: (flags & 1) === 0 };
  const goString = (ptrAt: number): string => {
    const header = fileOffset(elf, u(ptrElf, ptrAt, ptrSize));
    if (header === undefined) return '';
    const data = fileOffset(elf, u(ptrElf, header, ptrSize));
    const len = u(ptrElf, header + ptrSize, ptrSize);
    return data === undefined || len === 0 ? '' : stringAt(buf, data, len);
  };
  return { version: goString(at + 16), mod: goString(at + 16 + ptrSize) };
}

/** Removes the 16-byte sentinels around module info (runtime/debug: modinfo start/end markers). */
function stripSentinels(mod: string): string {
  return mod.length >= 33 && mod[mod.length - 17] === '\n' ? mod.slice(16, -16) : mod;
}

/** Parses the module-info text (`path`, `mod`, `dep`, `=>` lines). */
export function parseModInfo(text: string): { path: string; main?: GoModule; deps: GoModule[] } {
  let path = '';
  let main: GoModule | undefined;
  const deps: GoModule[] = [];
  for (const line of text.split('\n')) {
    const [kind, a, b] = line.split('\t');
    if (kind === 'path' && a !== undefined) path = a;
    else if (kind === 'mod' && a !== undefined) main = { path: a, version: b ?? '' };
    else if (kind === 'dep' && a !== undefined) deps.push({ path: a, version: b ?? '' });
    else if (kind === '=>' && a !== undefined && deps.length > 0) deps[deps.length - 1] = { path: a, version: b ?? '' };
  }
  return { path, ...(main !== undefined && { main }), deps };
}

/**
 * Reads Go build info from an ELF file's bytes; null when it is not a Go binary (no build info found).
 * @throws IroncladError INVALID_INPUT when the build info is present but malformed.
 */
export function readGoBuildInfo(bytes: Uint8Array): GoBuildInfo | null {
  const elf = openElf(bytes);
  if (elf === null) return null;
  const section = buildInfoSection(elf);
  if (section !== undefined && section.offset < 0) return null; // section headers present, no Go section
  const at =
    section === undefined
      ? findMagic(elf.buf, 0, elf.buf.length)
      : findMagic(elf.buf, section.offset, section.offset + Math.max(section.size, HEADER));
  if (at < 0 || at + HEADER > elf.buf.length) return null;
  const { version, mod } = readStrings(elf, at);
  if (!version.startsWith('go')) return null;
  return { goVersion: version, ...parseModInfo(stripSentinels(mod)) };
}
