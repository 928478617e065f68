import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { writeFileAtomic } from '../core/index.ts';
import { type DebContents, parseSingleParagraph, readDeb } from '../debian/index.ts';

/**
 * Parsed .deb contents cached by the .deb's sha256 (which the download already verified). Decompressing data.tar
 * (xz) is most of a build's reading time; the cached form loads in milliseconds. Each entry starts with the
 * sha256 of its payload and is checked on every read: a damaged entry is ignored and rewritten.
 */
const FORMAT = `deb-contents-v1-node${process.versions.v8}`;

function entryPath(home: string, debSha256: string): string {
  return join(home, 'cache', FORMAT, debSha256.slice(0, 2), debSha256);
}

export async function readDebCached(path: string, debSha256: string, home: string): Promise<DebContents> {
  const cached = await readEntry(entryPath(home, debSha256));
  if (cached !== undefined) return cached;
  const deb = await readDeb(path);
  const { control: _control, ...rest } = deb;
  const payload = serialize(rest);
  const digest = createHash('sha256').update(payload).digest();
  await writeFileAtomic(entryPath(home, debSha256), Buffer.concat([digest, payload]));
  return deb;
}

async function readEntry(path: string): Promise<DebContents | undefined> {
  const bytes = await readFile(path).catch(() => undefined);
  if (bytes === undefined || bytes.length < 32) return undefined;
  const payload = bytes.subarray(32);
  if (!createHash('sha256').update(payload).digest().equals(bytes.subarray(0, 32))) return undefined;
  try {
    const rest = deserialize(payload) as Omit<DebContents, 'control'>;
    // The parsed control paragraph has methods, so it is rebuilt from the text rather than cached.
    return { ...rest, control: parseSingleParagraph(rest.controlText) };
  } catch {
    return undefined;
  }
}
