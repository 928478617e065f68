import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { fail } from '../core/index.ts';

/** Where one regular file's content sits inside an uncompressed tar file. */
export interface TarSlice {
  readonly offset: number;
  readonly size: number;
}

const BLOCK = 512;
const MAX_ENTRIES = 100_000;
const MAX_META_BYTES = 1024 * 1024;

function cstring(b: Buffer, start: number, len: number): string {
  const end = b.indexOf(0, start);
  return b.toString('utf8', start, end < 0 || end > start + len ? start + len : end);
}

function numeric(b: Buffer, start: number, len: number, file: string): number {
  if ((b[start]! & 0x80) !== 0) {
    // GNU base-256: big-endian binary after the marker bit.
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = cstring(b, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) fail('INVALID_INPUT', `${file}: malformed tar header`);
  return Number.parseInt(s, 8);
}

function paxPath(data: Buffer): string | undefined {
  let path: string | undefined;
  for (const line of data.toString('utf8').split('\n')) {
    const m = /^\d+ path=(.*)$/s.exec(line);
    if (m) path = m[1];
  }
  return path;
}

/**
 * Indexes the regular files of an uncompressed tar by normalised path (no `./` prefix), reading only headers,
 * so their content can later be streamed by byte range. Symlinks and hardlinks to indexed files are resolved
 * (old `docker save` output links duplicate layers). Honours PAX `path` and GNU long names.
 * @throws IroncladError INVALID_INPUT for malformed headers or more than 100,000 entries.
 */
export async function indexTarFile(file: string): Promise<Map<string, TarSlice>> {
  const fh = await open(file, 'r').catch((cause) => fail('NOT_FOUND', `cannot open ${file}`, { cause }));
  const files = new Map<string, TarSlice>();
  const links: [string, string][] = [];
  try {
    const size = (await fh.stat()).size;
    let pos = 0;
    let longName: string | undefined;
    for (let n = 0; pos + BLOCK <= size; n++) {
      if (n > MAX_ENTRIES) fail('INVALID_INPUT', `${file}: more than ${MAX_ENTRIES} tar entries`);
      const h = Buffer.alloc(BLOCK);
      await fh.read(h, 0, BLOCK, pos);
      if (h.every((x) => x === 0)) break;
      const entrySize = numeric(h, 124, 12, file);
      const type = String.fromCharCode(h[156]!);
      const dataPos = pos + BLOCK;
      if (dataPos + entrySize > size) fail('INVALID_INPUT', `${file}: truncated tar`);
      const readData = async (): Promise<Buffer> => {
        if (entrySize > MAX_META_BYTES) fail('INVALID_INPUT', `${file}: oversized tar metadata entry`);
        const b = Buffer.alloc(entrySize);
        await fh.read(b, 0, entrySize, dataPos);
        return b;
      };
      const prefix = h.toString('latin1', 257, 262) === 'ustar' ? cstring(h, 345, 155) : '';
      const name = longName ?? (prefix ? `${prefix}/${cstring(h, 0, 100)}` : cstring(h, 0, 100));
      longName = undefined;
      if (type === 'x') longName = paxPath(await readData());
      else if (type === 'L') longName = cstring(await readData(), 0, entrySize);
      else if (type === '0' || type === '\0' || type === '7')
        files.set(clean(name), { offset: dataPos, size: entrySize });
      else if (type === '1') links.push([clean(name), clean(cstring(h, 157, 100))]);
      else if (type === '2')
        links.push([clean(name), clean(posix.join(posix.dirname(clean(name)), cstring(h, 157, 100)))]);
      pos = dataPos + Math.ceil(entrySize / BLOCK) * BLOCK;
    }
  } finally {
    await fh.close();
  }
  for (const [from, to] of links) {
    const target = files.get(to);
    if (target !== undefined && !files.has(from)) files.set(from, target);
  }
  return files;
}

function clean(p: string): string {
  return posix
    .normalize(p)
    .replace(/^(\.\/|\/)+/, '')
    .replace(/\/$/, '');
}
