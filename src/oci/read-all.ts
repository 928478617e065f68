import { fail } from '../core/index.ts';

/**
 * Reads a whole stream into memory, refusing more than `maxBytes` (every parser of outside data has a size
 * limit, DESIGN.md Conventions). The stream is destroyed when the limit is hit.
 * @throws IroncladError INVALID_INPUT when the stream is larger than `maxBytes`.
 */
export async function readAll(
  stream: AsyncIterable<Uint8Array> & { destroy?(err?: Error): unknown },
  maxBytes: number,
  what: string,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > maxBytes) {
      stream.destroy?.();
      fail('INVALID_INPUT', `${what}: larger than the ${maxBytes}-byte limit`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
