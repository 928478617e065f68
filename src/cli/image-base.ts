import { verifyImageBase } from '../attest/index.ts';
import { fail } from '../core/index.ts';
import type { ImageBase, ImageBaseResolver, LoadedDefinition } from '../definition/index.ts';
import { isRegistryRef, namedTag, parseImageRef } from '../oci/index.ts';
import { loadPublicKeyFile, openTarget } from './image-target.ts';
import type { CliIO } from './io.ts';
import { openSource } from './source.ts';

/**
 * What `lock` and `build` use to read a customization's published base (`extends: {image, key}`): the registry
 * image the digest pins, verified with the key before anything of it is used (attest's verifyImageBase). The key
 * is `baseKey` (`--base-key`, relative to the working directory) when given, else the definition's. A reference
 * that is not a registry image pinned by digest, or no key at all, is refused (exit 2).
 */
export function imageBaseResolver(io: CliIO, baseKey?: string): ImageBaseResolver {
  return async (base) => {
    const { image } = base;
    const key =
      baseKey ??
      base.key ??
      fail('USAGE', `extends: ${image} names no key to verify it with`, {
        hint: 'add key: FILE under extends:, or pass --base-key FILE',
      });
    const ref = parseImageRef(image.replace(/^docker:\/\//, ''));
    if (!isRegistryRef(ref) || ref.digest === undefined) {
      fail('USAGE', `extends: ${image}: a published base is a registry image pinned by digest`, {
        hint: 'e.g. extends: {image: registry.example.com/team/python:3.11@sha256:<hex>, key: team.pub}',
      });
    }
    const publicKey = await loadPublicKeyFile(key, io);
    const opened = await openTarget(image, io);
    const name = `${ref.host}/${ref.repo}${ref.tag === undefined ? '' : `:${ref.tag}`}`;
    return verifyImageBase(opened, { image, name, digest: ref.digest }, publicKey);
  };
}

/**
 * For each published base the definitions pin (`extends: {image: HOST/REPO:TAG@sha256:...}`), whether the tag now
 * names another digest in its registry: one note per moved base, saying so. Nothing is re-pinned: taking a new base
 * is the definition author's change (a new pin makes the lock stale, so the next update rebuilds on it). A tag that
 * cannot be read is noted too; the note informs and decides nothing, and the pinned base was verified already.
 */
export async function movedBaseNotes(definitions: readonly LoadedDefinition[], io: CliIO): Promise<string[]> {
  const bases = new Map<string, ImageBase>();
  for (const d of definitions) if (d.extends?.image !== undefined) bases.set(d.extends.image.image, d.extends.image);
  const notes: string[] = [];
  for (const base of bases.values()) {
    if (namedTag(parseImageRef(base.name)) === undefined) continue; // pinned by digest alone: no tag to follow
    try {
      const now = (await openSource(base.name, io).top()).desc.digest;
      if (now !== base.digest) notes.push(`base ${base.name} moved from ${base.digest} to ${now}: re-pin extends`);
    } catch (err) {
      notes.push(`base ${base.name}: could not read where the tag points now: ${(err as Error).message}`);
    }
  }
  return notes;
}
