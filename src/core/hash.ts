import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Read size when hashing files: stored layers are tens of MB, and each 64 KiB default read is a pool round trip. */
const HASH_READ_BYTES = 1024 * 1024;

/** Streams a file through sha256; returns hex digest and size. */
export async function sha256File(path: string): Promise<{ hex: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: HASH_READ_BYTES })) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { hex: h.digest('hex'), size };
}
