import { verifyImageBase } from '../attest/index.ts';
import { fail } from '../core/index.ts';
import type { ImageBaseResolver } from '../definition/index.ts';
import { isRegistryRef, parseImageRef } from '../oci/index.ts';
import { loadPublicKeyFile, openTarget } from './image-target.ts';
import type { CliIO } from './io.ts';

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
