import { access } from 'node:fs/promises';
import { fail, writeFileAtomic } from '../core/index.ts';
import type { GeneratedKeyPair } from './keys.ts';

export interface KeyFilePaths {
  readonly privateKey: string;
  readonly publicKey: string;
}

/** `PREFIX.key` and `PREFIX.pub`, cosign's naming. */
export function keyFilePaths(prefix: string): KeyFilePaths {
  return { privateKey: `${prefix}.key`, publicKey: `${prefix}.pub` };
}

/**
 * Writes a generated key pair to `PREFIX.key` (mode 0600) and `PREFIX.pub` (0644), each atomically. Existing files
 * are never replaced unless `force` is set, so a second `keygen` cannot silently destroy a key that signed images.
 * @throws IroncladError `CONFLICT` when a file exists and `force` is not set (nothing is written then).
 */
export async function writeKeyPairFiles(
  prefix: string,
  pair: GeneratedKeyPair,
  options: { readonly force?: boolean } = {},
): Promise<KeyFilePaths> {
  const paths = keyFilePaths(prefix);
  if (!options.force) await assertKeyFilesAbsent(prefix);
  await writeFileAtomic(paths.privateKey, pair.privateKeyPem, 0o600);
  await writeFileAtomic(paths.publicKey, pair.publicKeyPem, 0o644);
  return paths;
}

/**
 * Fails if `PREFIX.key` or `PREFIX.pub` exists, so a CLI can refuse before asking for a password.
 * @throws IroncladError `CONFLICT` naming the existing file.
 */
export async function assertKeyFilesAbsent(prefix: string): Promise<void> {
  const paths = keyFilePaths(prefix);
  for (const path of [paths.privateKey, paths.publicKey]) {
    if (await exists(path)) {
      fail('CONFLICT', `refusing to overwrite existing key file ${path}`, {
        hint: 'choose another --prefix, or pass --force to replace it (signatures made with the old key stay valid only with the old public key)',
      });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
