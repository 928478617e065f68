import { randomBytes, scrypt } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa';
import { fail } from '../core/index.ts';
import { decodeBase64, encodeBase64, isRecord, parseJsonBytes } from './encoding.ts';

/*
 * Password-based encryption of private keys in the format cosign writes inside its
 * `ENCRYPTED SIGSTORE PRIVATE KEY` PEM block (implemented by go-securesystemslib's `encrypted` package):
 *
 *   {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"<b64 32 bytes>"},
 *    "cipher":{"name":"nacl/secretbox","nonce":"<b64 24 bytes>"},
 *    "ciphertext":"<b64 secretbox(plaintext)>"}
 *
 * All byte fields are standard padded base64 (Go's encoding of []byte in JSON). The key is scrypt(password, salt)
 * with a 32-byte output; the ciphertext is NaCl secretbox (XSalsa20-Poly1305, tag first) of the plaintext.
 */

const SALT_BYTES = 32;
const NONCE_BYTES = 24;
const KEY_BYTES = 32;
/** Poly1305 tag that secretbox prepends. */
const TAG_BYTES = 16;
/** A key file holds one PKCS#8 key; anything larger is not ours. */
const MAX_ENVELOPE_BYTES = 64 * 1024;

/** The parameter sets go-securesystemslib accepts (legacy, standard, OWASP); cosign writes the first. */
const SCRYPT_PARAMS: readonly ScryptParams[] = [
  { N: 32768, r: 8, p: 1 },
  { N: 65536, r: 8, p: 1 },
  { N: 131072, r: 8, p: 1 },
];

interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** Encrypts `plaintext` under `password`; returns the JSON envelope text. Uses cosign's default scrypt cost. */
export async function sealWithPassword(plaintext: Uint8Array, password: string): Promise<string> {
  const params = SCRYPT_PARAMS[0]!;
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const key = await deriveKey(password, salt, params);
  const ciphertext = xsalsa20poly1305(key, nonce).encrypt(plaintext);
  key.fill(0);
  return JSON.stringify({
    kdf: { name: 'scrypt', params: { N: params.N, r: params.r, p: params.p }, salt: encodeBase64(salt) },
    cipher: { name: 'nacl/secretbox', nonce: encodeBase64(nonce) },
    ciphertext: encodeBase64(ciphertext),
  });
}

/**
 * Decrypts an envelope written by {@link sealWithPassword} or by cosign.
 * @throws IroncladError `KEY_INVALID` for a wrong password, a malformed envelope, or unsupported parameters
 *   (unknown scrypt costs are refused rather than run: an attacker-chosen N could exhaust memory).
 */
export async function openWithPassword(envelope: Uint8Array | string, password: string): Promise<Uint8Array> {
  const parsed = parseEnvelope(envelope);
  const key = await deriveKey(password, parsed.salt, parsed.params);
  try {
    return xsalsa20poly1305(key, parsed.nonce).decrypt(parsed.ciphertext);
  } catch {
    // secretbox authenticates the ciphertext, so a wrong password and a corrupted file look the same.
    return fail('KEY_INVALID', 'cannot decrypt the private key: wrong password or corrupted key file', {
      hint: 'check the password (IRONCLAD_PASSWORD or the prompt) for this key file',
    });
  } finally {
    key.fill(0);
  }
}

interface ParsedEnvelope {
  readonly params: ScryptParams;
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

function parseEnvelope(envelope: Uint8Array | string): ParsedEnvelope {
  let doc: unknown;
  try {
    doc = parseJsonBytes(envelope, 'encrypted private key', MAX_ENVELOPE_BYTES);
  } catch (err) {
    return fail('KEY_INVALID', 'encrypted private key: the PEM body is not the expected JSON document', {
      cause: err,
    });
  }
  const kdf = isRecord(doc) && isRecord(doc.kdf) ? doc.kdf : undefined;
  const cipher = isRecord(doc) && isRecord(doc.cipher) ? doc.cipher : undefined;
  const ciphertext = isRecord(doc) ? doc.ciphertext : undefined;
  if (!kdf || !cipher || typeof ciphertext !== 'string') {
    fail('KEY_INVALID', 'encrypted private key: missing kdf, cipher or ciphertext');
  }
  if (kdf.name !== 'scrypt') fail('KEY_INVALID', `encrypted private key: unsupported kdf ${String(kdf.name)}`);
  if (cipher.name !== 'nacl/secretbox') {
    fail('KEY_INVALID', `encrypted private key: unsupported cipher ${String(cipher.name)}`);
  }
  const params = supportedParams(kdf.params);
  const salt = field(kdf.salt, 'kdf.salt');
  const nonce = field(cipher.nonce, 'cipher.nonce');
  const box = field(ciphertext, 'ciphertext');
  if (nonce.length !== NONCE_BYTES) fail('KEY_INVALID', `encrypted private key: nonce must be ${NONCE_BYTES} bytes`);
  if (salt.length === 0) fail('KEY_INVALID', 'encrypted private key: empty salt');
  if (box.length <= TAG_BYTES) fail('KEY_INVALID', 'encrypted private key: ciphertext too short');
  return { params, salt, nonce, ciphertext: box };
}

function supportedParams(raw: unknown): ScryptParams {
  const found = isRecord(raw) ? SCRYPT_PARAMS.find((p) => p.N === raw.N && p.r === raw.r && p.p === raw.p) : undefined;
  if (!found) fail('KEY_INVALID', 'encrypted private key: unsupported scrypt parameters');
  return found;
}

function field(value: unknown, name: string): Uint8Array {
  if (typeof value !== 'string') fail('KEY_INVALID', `encrypted private key: ${name} is missing`);
  try {
    return decodeBase64(value, `encrypted private key ${name}`);
  } catch (err) {
    return fail('KEY_INVALID', `encrypted private key: ${name} is not valid base64`, { cause: err });
  }
}

function deriveKey(password: string, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node's default maxmem (32 MiB) is just too small for N=32768, r=8.
  const maxmem = 128 * params.N * params.r * params.p + 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(
      Buffer.from(password, 'utf8'),
      salt,
      KEY_BYTES,
      { N: params.N, r: params.r, p: params.p, maxmem },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}
