import { verifyImageBase } from '../attest/index.ts';
import { fail } from '../core/index.ts';
import type { ImageBaseResolver } from '../definition/index.ts';
import { isRegistryRef, parseImageRef } from '../oci/index.ts';
import { loadPublicKeyFile, openTarget } from './image-target.ts';
import type { CliIO } from './io.ts';

/**
 * What `lock` and `build` use to read a customization's published base (`extends: {image, key}`): the registry
 * image the digest pins, verified with the key before anything of it is used (attest's verifyImageBase).
 * A reference that is not a registry image pinned by digest is refused (exit 2).
 */
export function imageBaseResolver(io: CliIO): ImageBaseResolver {
  return async ({ image, key }) => {
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
