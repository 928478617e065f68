import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Read size when hashing files: stored layers are tens of MB, and each 64 KiB default read is a pool round trip. */
const HASH_READ_BYTES = 1024 * 1024;

/** Read buffers of finished calls, for the next ones (a few: calls run concurrently). */
const spare: Buffer[] = [];
const MAX_SPARE = 4;

/**
 * Reads a file through sha256; returns hex digest and size. Reads go into a buffer kept across calls: a stream
 * would allocate a fresh one per chunk, and a build hashes tens of MB of stored blobs, whose fresh buffers cost
 * more (page faults, external-memory GCs) than the hashing.
 */
export async function sha256File(path: string): Promise<{ hex: string; size: number }> {
  const h = createHash('sha256');
  const file = await open(path, 'r');
  const buf = spare.pop() ?? Buffer.allocUnsafeSlow(HASH_READ_BYTES);
  try {
    let size = 0;
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { hex: h.digest('hex'), size };
  } finally {
    if (spare.length < MAX_SPARE) spare.push(buf);
    await file.close();
  }
}
