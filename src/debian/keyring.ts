import { readFile, stat } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import { fail } from '../core/index.ts';

/**
 * Archive trust anchors. A keyring file (such as the one from the `debian-archive-keyring` package) may hold many
 * keys, including retired ones; only keys whose primary fingerprint is pinned in the distro config are trusted.
 * Pinning by fingerprint means a key added to the file later (by a package update, or an attacker with write
 * access to it) gains no trust without a reviewed change to the distro config.
 */
export interface TrustedKeys {
  /** Keys whose primary fingerprint is pinned; only these may verify an InRelease. */
  readonly keys: readonly openpgp.PublicKey[];
  /** Upper-case primary fingerprints of {@link keys}, same order. */
  readonly fingerprints: readonly string[];
}

/** Keyrings are a few hundred KB even with every retired key; this is far above any real one. */
export const MAX_KEYRING_BYTES = 8 * 1024 * 1024;

/** Upper-case hex without spaces; the form fingerprints are compared in. */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/\s+/g, '').toUpperCase();
}

/**
 * Reads a binary or ASCII-armored keyring file and keeps the keys pinned by `pinned` (fingerprints, any case,
 * spaces allowed). Throws ARCHIVE_UNTRUSTED when the file cannot be read or parsed, or when it holds none of the
 * pinned keys, because without a trusted key no archive can be verified.
 */
export async function loadTrustedKeys(path: string, pinned: readonly string[]): Promise<TrustedKeys> {
  const hint =
    'install the distribution archive keyring (e.g. the debian-archive-keyring package) or set the keyring path in the distro config';
  let bytes: Uint8Array;
  try {
    const st = await stat(path);
    if (st.size > MAX_KEYRING_BYTES)
      fail('ARCHIVE_UNTRUSTED', `keyring ${path} is larger than ${MAX_KEYRING_BYTES} bytes`);
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof Error && 'code' in err && typeof err.code === 'string') {
      fail('ARCHIVE_UNTRUSTED', `cannot read keyring ${path}: ${err.code}`, { hint, cause: err });
    }
    throw err;
  }
  return trustedKeysFrom(bytes, pinned, `keyring ${path}`);
}

/** Like {@link loadTrustedKeys} for keyring bytes already in memory; `what` names them in errors. */
export async function trustedKeysFrom(
  bytes: Uint8Array,
  pinned: readonly string[],
  what: string,
): Promise<TrustedKeys> {
  if (bytes.length > MAX_KEYRING_BYTES) fail('ARCHIVE_UNTRUSTED', `${what} is larger than ${MAX_KEYRING_BYTES} bytes`);
  const wanted = new Set(pinned.map(normalizeFingerprint));
  let all: openpgp.PublicKey[];
  try {
    all = isArmored(bytes)
      ? await openpgp.readKeys({ armoredKeys: new TextDecoder().decode(bytes) })
      : await openpgp.readKeys({ binaryKeys: bytes });
  } catch (err) {
    fail('ARCHIVE_UNTRUSTED', `${what}: not a readable OpenPGP keyring`, { cause: err });
  }
  const keys = all.filter((k) => wanted.has(k.getFingerprint().toUpperCase()));
  if (keys.length === 0) {
    fail('ARCHIVE_UNTRUSTED', `${what} holds none of the pinned archive keys`, {
      hint: `expected one of: ${[...wanted].join(', ')}`,
    });
  }
  return { keys, fingerprints: keys.map((k) => k.getFingerprint().toUpperCase()) };
}

/** The primary fingerprint of the trusted key that owns (sub)key `keyId`, if any. */
export function fingerprintOfSigner(trusted: TrustedKeys, keyId: openpgp.KeyID): string | undefined {
  const key = trusted.keys.find((k) => k.getKeys(keyId).length > 0);
  return key?.getFingerprint().toUpperCase();
}

function isArmored(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  return head.startsWith('-----BEGIN PGP');
}
