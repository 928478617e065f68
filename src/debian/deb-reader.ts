import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { fail, wrapError } from '../core/index.ts';
import { readArMembers } from './ar.ts';
import { parseSingleParagraph } from './control.ts';
import { readTarEntries } from './deb-tar.ts';
import type { ControlMember, DebCompression, DebContents, DebEntry, DebLimits } from './deb-types.ts';
import { DEFAULT_DEB_LIMITS } from './deb-types.ts';
import { decompressMember, memberCompression } from './decompress.ts';

/**
 * Reads a binary package (deb(5)): an ar archive whose members are, in this order, `debian-binary` (format
 * version `2.0`), `control.tar[.gz|.xz|.zst]` and `data.tar[.gz|.xz|.zst]`. Members whose names start with `_`
 * are reserved for local additions and skipped, as dpkg does.
 */

export interface ReadDebOptions {
  readonly limits?: Partial<DebLimits>;
  /** Names the package in messages; defaults to the file's base name (or `package` for a stream). */
  readonly name?: string;
}

type Stage = 'version' | 'control' | 'data' | 'done';

/**
 * Reads a .deb from a file path or a byte stream, entirely in memory (members are bounded by the limits).
 * The stream is consumed and closed. Throws INVALID_INPUT for a malformed, truncated or unsupported archive and
 * HOSTILE_INPUT for hostile names or an archive over the limits; messages name the package file.
 */
export async function readDeb(
  source: string | AsyncIterable<Uint8Array>,
  opts: ReadDebOptions = {},
): Promise<DebContents> {
  const what = opts.name ?? (typeof source === 'string' ? basename(source) : 'package');
  try {
    return await readDebMembers(source, { ...DEFAULT_DEB_LIMITS, ...opts.limits }, what);
  } catch (err) {
    const missing = err instanceof Error && 'code' in err && err.code === 'ENOENT';
    throw wrapError(err, missing ? 'NOT_FOUND' : 'INVALID_INPUT', `reading ${what}`);
  }
}

async function readDebMembers(
  source: string | AsyncIterable<Uint8Array>,
  limits: DebLimits,
  what: string,
): Promise<DebContents> {
  const input = typeof source === 'string' ? createReadStream(source) : source;
  let stage: Stage = 'version';
  let control: Omit<DebContents, 'entries' | 'dataCompression'> | undefined;
  let data: { entries: DebEntry[]; compression: DebCompression } | undefined;
  for await (const member of readArMembers(input, { maxMemberSize: limits.maxMemberSize, what })) {
    if (member.name.startsWith('_')) continue;
    if (stage === 'version') {
      checkVersion(member.name, member.data, what);
      stage = 'control';
    } else if (stage === 'control') {
      control = await readControlMember(member.name, member.data, limits, what);
      stage = 'data';
    } else if (stage === 'data') {
      data = await readDataMember(member.name, member.data, limits, what);
      stage = 'done';
    } else {
      fail('INVALID_INPUT', `${what}: unexpected member "${member.name}" after the data archive`);
    }
  }
  if (control === undefined || data === undefined) {
    fail('INVALID_INPUT', `${what} is truncated: no ${stage === 'data' ? 'data' : 'control'} archive`);
  }
  return { ...control, entries: data.entries, dataCompression: data.compression };
}

function checkVersion(name: string, bytes: Uint8Array, what: string): void {
  if (name !== 'debian-binary') fail('INVALID_INPUT', `${what}: first member is "${name}", not debian-binary`);
  // deb(5): the file holds the format version; only major version 2 exists, minor versions must be accepted.
  const text = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (!/^2\.\d+\n/.test(text)) fail('INVALID_INPUT', `${what}: unsupported .deb format version "${text.trim()}"`);
}

async function readControlMember(
  name: string,
  bytes: Uint8Array,
  limits: DebLimits,
  what: string,
): Promise<Omit<DebContents, 'entries' | 'dataCompression'>> {
  const compression = memberCompression(name, 'control', what);
  if (compression === undefined) fail('INVALID_INPUT', `${what}: expected the control archive, found "${name}"`);
  const tarBytes = decompressMember(compression, bytes, limits.maxControlSize, what, name);
  const tarLimits = { ...limits, maxContentBytes: limits.maxControlSize };
  const entries = await readTarEntries(tarBytes, tarLimits, `${what} (${name})`);
  const file = (n: string): string | undefined => {
    const e = entries.find((x) => x.path === n);
    if (e === undefined) return undefined;
    if (e.type !== 'file') fail('INVALID_INPUT', `${what}: control member "${n}" is not a regular file`);
    return new TextDecoder('utf-8', { fatal: false }).decode(e.data);
  };
  const controlText = file('control');
  if (controlText === undefined) fail('INVALID_INPUT', `${what}: the control archive has no control file`);
  const control = parseSingleParagraph(controlText, { what: `${what}: control file` });
  return {
    control,
    controlText,
    md5sums: parseMd5sums(file('md5sums') ?? '', what),
    conffiles: parseConffiles(file('conffiles') ?? ''),
    controlFiles: controlMembers(entries),
    controlCompression: compression,
  };
}

/** dpkg's own bookkeeping files, which it writes itself or reads from elsewhere: never copied into info/. */
const DATABASE_MEMBERS = new Set(['control', 'md5sums', 'conffiles']);

/** Control archive members dpkg stores under info/ (plain names only; `./` stripped by the tar reader). */
function controlMembers(entries: readonly DebEntry[]): ControlMember[] {
  const out: ControlMember[] = [];
  for (const e of entries) {
    if (e.type !== 'file' || DATABASE_MEMBERS.has(e.path) || !/^[a-z][a-z0-9_.-]*$/.test(e.path)) continue;
    out.push({ name: e.path, mode: e.mode & 0o777, data: e.data });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function readDataMember(
  name: string,
  bytes: Uint8Array,
  limits: DebLimits,
  what: string,
): Promise<{ entries: DebEntry[]; compression: DebCompression }> {
  const compression = memberCompression(name, 'data', what);
  if (compression === undefined) fail('INVALID_INPUT', `${what}: expected the data archive, found "${name}"`);
  const tarBytes = decompressMember(compression, bytes, limits.maxUnpackedSize, what, name);
  const entries = await readTarEntries(tarBytes, { ...limits, maxContentBytes: limits.maxUnpackedSize }, what);
  return { entries, compression };
}

/** `md5sums` (deb-md5sums(5)): lines of `<32 hex>  <path>`, paths relative to the root. */
export function parseMd5sums(text: string, what: string): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.length === 0) continue;
    const m = /^([0-9a-fA-F]{32}) [ *](.+)$/.exec(line);
    if (m === null) fail('INVALID_INPUT', `${what}: md5sums line ${lineNo} is malformed`);
    out.set(m[2]!.replace(/^\.?\//, ''), m[1]!.toLowerCase());
  }
  return out;
}

/** `conffiles` (deb-conffiles(5)): one absolute path per line, optionally prefixed by `remove-on-upgrade `. */
function parseConffiles(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => l.replace(/^remove-on-upgrade\s+/, ''));
}
