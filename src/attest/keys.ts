import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { fail } from '../core/index.ts';
import { decodeBase64 } from './encoding.ts';
import { openWithPassword, sealWithPassword } from './key-encryption.ts';

/*
 * cosign-compatible key files (cosign's signature specification): ECDSA P-256 keys; the private key is PKCS#8 DER
 * encrypted with a password (see key-encryption.ts) inside a PEM block labelled `ENCRYPTED SIGSTORE PRIVATE KEY`
 * (cosign before 2.0 wrote `ENCRYPTED COSIGN PRIVATE KEY`; both are read), the public key a PKIX
 * `PUBLIC KEY` PEM block.
 */

/** The label we write; cosign ≥ 2 writes and reads the same. */
export const PRIVATE_KEY_PEM_LABEL = 'ENCRYPTED SIGSTORE PRIVATE KEY';
const PRIVATE_KEY_LABELS = new Set([PRIVATE_KEY_PEM_LABEL, 'ENCRYPTED COSIGN PRIVATE KEY']);
const PUBLIC_KEY_LABEL = 'PUBLIC KEY';
/** Key files are a few hundred bytes; refuse to parse anything much bigger. */
const MAX_PEM_BYTES = 64 * 1024;

/** A freshly generated key pair: the files to write and the public half as a usable key. */
export interface GeneratedKeyPair {
  /** PEM text for `NAME.key`: encrypted, safe to store but still secret. */
  readonly privateKeyPem: string;
  /** PEM text for `NAME.pub`. */
  readonly publicKeyPem: string;
  readonly publicKey: KeyObject;
  /** {@link keyFingerprint} of the public key. */
  readonly fingerprint: string;
}

/**
 * Generates an ECDSA P-256 key pair and encrypts the private half under `password` (scrypt + secretbox, as
 * cosign does). The unencrypted private key never leaves this function.
 */
export async function generateKeyPair(password: string): Promise<GeneratedKeyPair> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  try {
    const envelope = await sealWithPassword(der, password);
    return {
      privateKeyPem: pemEncode(PRIVATE_KEY_PEM_LABEL, Buffer.from(envelope, 'utf8')),
      publicKeyPem: publicKeyToPem(publicKey),
      publicKey,
      fingerprint: keyFingerprint(publicKey),
    };
  } finally {
    der.fill(0);
  }
}

/**
 * Decrypts a cosign-format private key file.
 * @throws IroncladError `KEY_INVALID` for a wrong password, a file that is not an encrypted sigstore/cosign key,
 *   or a key that is not ECDSA P-256.
 */
export async function loadPrivateKey(pem: string | Uint8Array, password: string): Promise<KeyObject> {
  const block = pemDecode(pem, PRIVATE_KEY_LABELS, 'private key');
  const der = await openWithPassword(block, password);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch (err) {
    return fail('KEY_INVALID', 'private key: the decrypted content is not a PKCS#8 key', { cause: err });
  } finally {
    der.fill(0);
  }
  assertP256(key, 'private key');
  return key;
}

/**
 * Parses a PKIX `PUBLIC KEY` PEM block.
 * @throws IroncladError `KEY_INVALID` if it is not one, or not an ECDSA P-256 key.
 */
export function loadPublicKey(pem: string | Uint8Array): KeyObject {
  const der = pemDecode(pem, new Set([PUBLIC_KEY_LABEL]), 'public key');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch (err) {
    return fail('KEY_INVALID', 'public key: not a valid PKIX SubjectPublicKeyInfo', { cause: err });
  }
  assertP256(key, 'public key');
  return key;
}

/** The public half of a private key. */
export function publicKeyOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}

/** PKIX PEM text (`-----BEGIN PUBLIC KEY-----`), the format cosign writes to `cosign.pub`. */
export function publicKeyToPem(publicKey: KeyObject): string {
  return pemEncode(PUBLIC_KEY_LABEL, publicKey.export({ format: 'der', type: 'spki' }));
}

/**
 * A stable identifier for a public key: base64 of the SHA-256 of its DER SubjectPublicKeyInfo. Used as the
 * bundle's `publicKey.hint` and the DSSE `keyid`; neither is authenticated, they only help pick a key.
 */
export function keyFingerprint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('base64');
}

function assertP256(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    fail('KEY_INVALID', `${what}: only ECDSA P-256 keys are supported (got ${describeKey(key)})`);
  }
}

function describeKey(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve ? `${key.asymmetricKeyType} ${curve}` : String(key.asymmetricKeyType);
}

/** RFC 7468 textual encoding with 64-character lines. */
export function pemEncode(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Extracts the body of the first PEM block (RFC 7468) whose label is in `labels`. Text around the block is
 * ignored, as OpenSSL does; a block with another label is an error naming that label.
 */
function pemDecode(input: string | Uint8Array, labels: ReadonlySet<string>, what: string): Uint8Array {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > MAX_PEM_BYTES) fail('KEY_INVALID', `${what}: file of ${size} bytes is too large for a key`);
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const match = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)\r?\n?-----END \1-----/.exec(text);
  if (!match) fail('KEY_INVALID', `${what}: no PEM block found`);
  const label = match[1] ?? '';
  if (!labels.has(label)) {
    fail('KEY_INVALID', `${what}: expected a PEM block of type ${[...labels].join(' or ')}, found ${label}`);
  }
  const body = (match[2] ?? '').replace(/\s+/g, '');
  try {
    return decodeBase64(body, `${what} PEM body`);
  } catch (err) {
    return fail('KEY_INVALID', `${what}: PEM body is not valid base64`, { cause: err });
  }
}
