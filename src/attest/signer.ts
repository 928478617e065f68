import { type KeyObject, sign } from 'node:crypto';
import { keyFingerprint, publicKeyOf } from './keys.ts';

/**
 * Something that signs bytes (STYLE.md rule 12: a one-method role). The signature is ECDSA P-256 over SHA-256 of
 * `data`, DER-encoded (ASN.1 `Ecdsa-Sig-Value`), which is what sigstore bundles and cosign carry. Implementations
 * may hold the key in memory, a KMS or a hardware token.
 */
export interface Signer {
  /** Identifies the verification key; becomes the bundle `publicKey.hint` and the DSSE `keyid`. */
  readonly keyHint: string;
  /** The key that verifies its signatures: what is already signed with it need not be signed again. */
  readonly publicKey: KeyObject;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** A {@link Signer} over an in-memory private key (from {@link loadPrivateKey}). */
export function keySigner(privateKey: KeyObject): Signer {
  const publicKey = publicKeyOf(privateKey);
  const keyHint = keyFingerprint(publicKey);
  return {
    keyHint,
    publicKey,
    async sign(data) {
      return new Uint8Array(sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }));
    },
  };
}
