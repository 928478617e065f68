/**
 * A small, bounded reader of the ELF facts the linkage check needs (System V gABI, "ELF Header", "Program
 * Header", "Dynamic Section"): class, byte order, type, machine, PT_INTERP, and from PT_DYNAMIC the DT_NEEDED,
 * DT_SONAME, DT_RPATH and DT_RUNPATH strings. Nothing is executed. Every offset and count is checked against the
 * buffer and fixed limits, so a hostile file yields `undefined` (not an ELF we can judge) rather than a crash.
 * No npm ELF parser reads the dynamic section with such bounds, hence this one.
 */

export interface ElfFacts {
  readonly class: 32 | 64;
  /** e_machine (62 x86-64, 183 AArch64, 40 ARM, 3 i386, ...). */
  readonly machine: number;
  /** e_type: 2 executable, 3 shared object / PIE. */
  readonly type: number;
  readonly interpreter?: string;
  readonly needed: readonly string[];
  readonly soname?: string;
  readonly rpath: readonly string[];
  readonly runpath: readonly string[];
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;

const MAX_PHNUM = 4096;
const MAX_DYN_ENTRIES = 65536;
const MAX_STRING = 4096;

/** Whether `head` starts with the ELF magic (0x7f 'E' 'L' 'F'). */
export function isElf(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

class Reader {
  constructor(
    readonly buf: Buffer,
    readonly is64: boolean,
    readonly le: boolean,
  ) {}
  ok(off: number, len: number): boolean {
    return Number.isSafeInteger(off) && off >= 0 && len >= 0 && off + len <= this.buf.length;
  }
  u16(off: number): number {
    return this.le ? this.buf.readUInt16LE(off) : this.buf.readUInt16BE(off);
  }
  u32(off: number): number {
    return this.le ? this.buf.readUInt32LE(off) : this.buf.readUInt32BE(off);
  }
  /** An address or size: 64-bit values above 2^53 are not real in a file we can hold, so they read as -1. */
  addr(off: number): number {
    if (!this.is64) return this.u32(off);
    const v = this.le ? this.buf.readBigUInt64LE(off) : this.buf.readBigUInt64BE(off);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
  }
  cstring(off: number, max: number): string | undefined {
    if (!this.ok(off, 0)) return undefined;
    const end = this.buf.indexOf(0, off);
    if (end < 0 || end - off > Math.min(max, MAX_STRING)) return undefined;
    return this.buf.toString('utf8', off, end);
  }
}

interface Segment {
  readonly type: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
}

/** Parses the facts of an ELF file held in memory; undefined when it is not a well-formed ELF. */
export function readElf(bytes: Uint8Array): ElfFacts | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isElf(buf) || buf.length < 52) return undefined;
  const cls = buf[4];
  const data = buf[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return undefined;
  const r = new Reader(buf, cls === 2, data === 1);
  if (r.is64 && buf.length < 64) return undefined;
  const type = r.u16(16);
  const machine = r.u16(18);
  const phoff = r.is64 ? r.addr(32) : r.u32(28);
  const phentsize = r.u16(r.is64 ? 54 : 42);
  const phnum = r.u16(r.is64 ? 56 : 44);
  if (phnum > MAX_PHNUM || phentsize < (r.is64 ? 56 : 32) || !r.ok(phoff, phnum * phentsize)) return undefined;
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    segments.push(
      r.is64
        ? { type: r.u32(p), offset: r.addr(p + 8), vaddr: r.addr(p + 16), filesz: r.addr(p + 32) }
        : { type: r.u32(p), offset: r.u32(p + 4), vaddr: r.u32(p + 8), filesz: r.u32(p + 16) },
    );
  }
  const interp = segments.find((s) => s.type === PT_INTERP);
  const interpreter =
    interp !== undefined && r.ok(interp.offset, interp.filesz) ? r.cstring(interp.offset, interp.filesz) : undefined;
  if (interp !== undefined && interpreter === undefined) return undefined;
  const dynamic = dynamicStrings(r, segments);
  if (dynamic === undefined) return undefined;
  return {
    class: r.is64 ? 64 : 32,
    machine,
    type,
    ...(interpreter !== undefined && { interpreter }),
    ...dynamic,
  };
}

/** DT_NEEDED/SONAME/RPATH/RUNPATH strings; empty lists for a static file; undefined when malformed. */
function dynamicStrings(
  r: Reader,
  segments: readonly Segment[],
): Pick<ElfFacts, 'needed' | 'soname' | 'rpath' | 'runpath'> | undefined {
  const dyn = segments.find((s) => s.type === PT_DYNAMIC);
  if (dyn === undefined) return { needed: [], rpath: [], runpath: [] };
  const entSize = r.is64 ? 16 : 8;
  if (!r.ok(dyn.offset, dyn.filesz)) return undefined;
  const count = Math.min(Math.floor(dyn.filesz / entSize), MAX_DYN_ENTRIES);
  const entries: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const off = dyn.offset + i * entSize;
    const tag = r.is64 ? r.addr(off) : r.u32(off);
    if (tag === DT_NULL) break;
    entries.push([tag, r.is64 ? r.addr(off + 8) : r.u32(off + 4)]);
  }
  const strtabAddr = entries.find(([t]) => t === DT_STRTAB)?.[1];
  const strsz = entries.find(([t]) => t === DT_STRSZ)?.[1] ?? 0;
  // DT_STRTAB is a virtual address: the PT_LOAD segment holding it gives its place in the file.
  const load = segments.find(
    (s) => s.type === PT_LOAD && strtabAddr !== undefined && strtabAddr >= s.vaddr && strtabAddr < s.vaddr + s.filesz,
  );
  const strtab = load === undefined || strtabAddr === undefined ? undefined : strtabAddr - load.vaddr + load.offset;
  const str = (v: number): string | undefined =>
    strtab === undefined || v < 0 || v >= strsz ? undefined : r.cstring(strtab + v, strsz - v);
  const needed: string[] = [];
  const rpath: string[] = [];
  const runpath: string[] = [];
  let soname: string | undefined;
  for (const [tag, val] of entries) {
    if (tag !== DT_NEEDED && tag !== DT_SONAME && tag !== DT_RPATH && tag !== DT_RUNPATH) continue;
    const s = str(val);
    if (s === undefined) return undefined;
    if (tag === DT_NEEDED) needed.push(s);
    else if (tag === DT_SONAME) soname = s;
    else (tag === DT_RPATH ? rpath : runpath).push(...s.split(':').filter((x) => x !== ''));
  }
  return { needed, ...(soname !== undefined && { soname }), rpath, runpath };
}
