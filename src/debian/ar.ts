import { fail } from '../core/index.ts';

/**
 * A streaming reader for the common `ar` archive format that .deb files use (deb(5), ar(5)): an 8-byte global
 * header `!<arch>\n`, then members, each a 60-byte ASCII header followed by its data padded with `\n` to an even
 * offset. Only the subset dpkg writes is accepted: no symbol tables and no GNU/BSD long-name tables, which a
 * .deb never contains.
 */

export const AR_MAGIC = '!<arch>\n';
const HEADER_SIZE = 60;
const HEADER_END = '`\n';

export interface ArMember {
  /** Member name with trailing blanks and a GNU-style trailing `/` removed. */
  readonly name: string;
  readonly data: Uint8Array;
}

/** Pulls exact byte counts out of an async chunk stream, keeping any leftover for the next read. */
class ExactReader {
  private readonly it: AsyncIterator<Uint8Array>;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Returns exactly `n` bytes, or fewer only when the stream ended first. */
  async read(n: number): Promise<Uint8Array> {
    while (this.pendingBytes < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.length > 0) {
        this.pending.push(r.value);
        this.pendingBytes += r.value.length;
      }
    }
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    const take = Math.min(n, all.length);
    const out = all.subarray(0, take);
    const rest = all.subarray(take);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return out;
  }

  /** Stops the underlying stream early (closes a file handle when we reject an archive midway). */
  async close(): Promise<void> {
    if (!this.done) await this.it.return?.();
    this.done = true;
  }
}

function field(header: Uint8Array, start: number, length: number): string {
  return Buffer.from(header.subarray(start, start + length))
    .toString('latin1')
    .replace(/ +$/, '');
}

/** Decimal header field (ar(5): ASCII decimal, space padded). */
function decimal(header: Uint8Array, start: number, length: number, what: string, name: string): number {
  const text = field(header, start, length);
  if (!/^[0-9]{1,10}$/.test(text)) fail('INVALID_INPUT', `${what}: member "${name}" has a malformed size "${text}"`);
  return Number(text);
}

/**
 * Yields the members of an ar archive in order, each fully buffered. `maxMemberSize` is checked against the
 * header before any data is read, so a hostile size never allocates. Throws INVALID_INPUT for a bad magic,
 * malformed header or truncated data, HOSTILE_INPUT for a member over the limit. `what` names the archive in
 * messages. The source is closed when iteration stops, including on error.
 */
export async function* readArMembers(
  source: AsyncIterable<Uint8Array>,
  opts: { readonly maxMemberSize: number; readonly what: string },
): AsyncGenerator<ArMember> {
  const { what } = opts;
  const reader = new ExactReader(source);
  try {
    const magic = await reader.read(AR_MAGIC.length);
    if (Buffer.from(magic).toString('latin1') !== AR_MAGIC) {
      fail('INVALID_INPUT', `${what} is not an ar archive (bad magic)`, { hint: 'Is this really a .deb file?' });
    }
    for (;;) {
      const header = await reader.read(HEADER_SIZE);
      if (header.length === 0) return;
      if (header.length < HEADER_SIZE) fail('INVALID_INPUT', `${what} is truncated inside a member header`);
      const rawName = field(header, 0, 16);
      if (field(header, 58, 2) !== HEADER_END) fail('INVALID_INPUT', `${what}: malformed member header`);
      const name = rawName.endsWith('/') ? rawName.slice(0, -1) : rawName;
      if (name.length === 0 || !/^[\x21-\x7e]+$/.test(name)) {
        fail('INVALID_INPUT', `${what}: malformed member name "${rawName}"`);
      }
      const size = decimal(header, 48, 10, what, name);
      if (size > opts.maxMemberSize) {
        fail('HOSTILE_INPUT', `${what}: member "${name}" is ${size} bytes, over the limit of ${opts.maxMemberSize}`);
      }
      const data = await reader.read(size);
      if (data.length < size) fail('INVALID_INPUT', `${what} is truncated inside member "${name}"`);
      // Copy so the member does not pin the (possibly much larger) chunk it was cut from.
      const member: ArMember = { name, data: Uint8Array.prototype.slice.call(data) };
      if (size % 2 === 1) await reader.read(1); // padding byte; may be absent at the very end
      yield member;
    }
  } finally {
    await reader.close();
  }
}
