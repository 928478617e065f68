import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, sha256Hex, wrapError } from '../core/index.ts';
import { expandVariants, type ImageVariant, type LoadedDefinition } from '../definition/index.ts';
import { ownerIds } from './account-ids.ts';
import type { ImagePath } from './apply-paths.ts';

/** A `paths` source file is configuration or a certificate; anything bigger is a mistake. */
const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

/** A source file beside the definition, read and checked against its pinned sha256. */
export interface PathSource {
  readonly source: string;
  readonly sha256: string;
  readonly data: Uint8Array;
}

/**
 * Reads every `source` file the variants' paths name, relative to the definition directory, and checks it
 * against its pinned sha256. Throws NOT_FOUND for a missing file, DEFINITION_INVALID for one over
 * {@link MAX_SOURCE_BYTES}, DIGEST_MISMATCH (exit 3) when the bytes are not the pinned ones.
 */
export async function readPathSources(
  dir: string,
  variants: readonly Pick<ImageVariant, 'paths'>[],
): Promise<ReadonlyMap<string, PathSource>> {
  const out = new Map<string, PathSource>();
  for (const v of variants) {
    for (const p of v.paths) {
      if (p.type !== 'file' || !('source' in p) || out.has(p.source)) continue;
      const data = await readLimited(join(dir, p.source), p.source);
      const actual = sha256Hex(data);
      if (actual !== p.sha256) {
        fail(
          'DIGEST_MISMATCH',
          `paths: ${p.source} (for ${p.path}) has sha256 ${actual}, the definition pins ${p.sha256}`,
          {
            hint: 'if the change is intended, put the new sha256 in the definition (sha256sum FILE)',
          },
        );
      }
      out.set(p.source, { source: p.source, sha256: p.sha256, data });
    }
  }
  return out;
}

/**
 * The `paths` source files of a definition's variants. A customization's paths come from two folders: those it
 * declares from its own, those it inherits from its base's (and so on up the chain). The same file name with two
 * different pins is refused, as the build could not tell which file a path means.
 */
export async function definitionPathSources(
  loaded: LoadedDefinition,
  variants: readonly Pick<ImageVariant, 'paths'>[],
): Promise<ReadonlyMap<string, PathSource>> {
  if (loaded.extends === undefined) return readPathSources(loaded.dir, variants);
  const { base, ownPaths } = loaded.extends;
  const inherited = await definitionPathSources(base, expandVariants(base.definition));
  const own = await readPathSources(loaded.dir, [{ paths: ownPaths }]);
  const out = new Map(inherited);
  for (const [name, source] of own) {
    const other = out.get(name);
    if (other !== undefined && other.sha256 !== source.sha256) {
      fail('DEFINITION_INVALID', `paths: ${name} names a different file here and in the base ${base.definition.name}`, {
        hint: "give the customization's file another name",
      });
    }
    out.set(name, source);
  }
  return out;
}

/** The variant's paths that apply on `platform`, owners resolved to ids and file bytes in place. */
export function imagePathsFor(
  variant: ImageVariant,
  platform: string,
  sources: ReadonlyMap<string, PathSource>,
): ImagePath[] {
  const out: ImagePath[] = [];
  for (const p of variant.paths) {
    if (p.platforms !== undefined && !p.platforms.includes(platform)) continue;
    if (p.type === 'delete') {
      out.push({ type: 'delete', path: p.path });
      continue;
    }
    const ids = ownerIds(variant, p.owner);
    if (p.type === 'dir') out.push({ type: 'dir', path: p.path, mode: p.mode, ...ids });
    else if (p.type === 'symlink') out.push({ type: 'symlink', path: p.path, target: p.target, ...ids });
    else {
      const data =
        'source' in p
          ? (sources.get(p.source)?.data ?? fail('INVALID_INPUT', `paths: ${p.source} was not read`))
          : new TextEncoder().encode(p.content);
      out.push({ type: 'file', path: p.path, mode: p.mode, data, ...ids });
    }
  }
  return out;
}

async function readLimited(path: string, name: string): Promise<Uint8Array> {
  const fh = await open(path, 'r').catch((err: unknown) => {
    throw wrapError(err, 'NOT_FOUND', `paths: reading ${name} beside the definition`);
  });
  try {
    const buf = Buffer.alloc(MAX_SOURCE_BYTES + 1);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > MAX_SOURCE_BYTES) fail('DEFINITION_INVALID', `paths: ${name} is larger than ${MAX_SOURCE_BYTES} bytes`);
    return new Uint8Array(buf.subarray(0, n));
  } finally {
    await fh.close();
  }
}
