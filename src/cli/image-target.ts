import type { KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  keySigner,
  loadPrivateKey,
  loadPublicKey,
  type OpenedTarget,
  resolveTarget,
  type Signer,
} from '../attest/index.ts';
import { fail, isIroncladError } from '../core/index.ts';
import { type Descriptor, formatPlatform, parseImageRef, type SignatureFormat } from '../oci/index.ts';
import type { CliIO } from './io.ts';
import { readPassword, type SecretPrompt } from './password.ts';
import { openRef } from './source.ts';

/** Key files are a few hundred bytes; anything much larger is not a key. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * Opens the image a signing or verifying verb names, relative to the invocation's directory (see resolveTarget).
 * Signatures and attestations attached through its `sink` go where `signatureFormat` says (default both forms).
 */
export function openTarget(ref: string, io: CliIO, signatureFormat?: SignatureFormat): Promise<OpenedTarget> {
  const opts = { relativeToCwd: true, ...(signatureFormat !== undefined && { signatureFormat }) };
  return resolveTarget(openRef(parseImageRef(ref), io, opts), ref);
}

/** A short label for a manifest in output: its platform, or `image` for a single manifest without one. */
export function platformLabel(d: Descriptor): string {
  return d.platform === undefined ? 'image' : formatPlatform(d.platform);
}

/** Loads a password-protected private key (password from IRONCLAD_PASSWORD or the terminal) as a Signer. */
export async function loadSigner(path: string, io: CliIO, prompt?: SecretPrompt): Promise<Signer> {
  const file = resolve(io.cwd, path);
  const pem = await readKeyFile(file);
  await warnIfExposed(file, io);
  const password = await readPassword(io, { confirm: false, purpose: file }, prompt);
  return keySigner(await loadPrivateKey(pem, password));
}

/** Loads a PEM public key file. */
export async function loadPublicKeyFile(path: string, io: CliIO): Promise<KeyObject> {
  const file = resolve(io.cwd, path);
  const bytes = await readKeyFile(file);
  try {
    return loadPublicKey(bytes);
  } catch (err) {
    if (!isIroncladError(err, 'KEY_INVALID')) throw err;
    return fail('KEY_INVALID', `${file}: ${err.message}`, {
      cause: err,
      hint: 'pass the public key: the .pub file of ironclad keygen or cosign generate-key-pair',
    });
  }
}

/**
 * A private key others may read is used, with a warning (cosign does not check at all; ssh refuses). Our keys are
 * always encrypted with a password (scrypt + secretbox, as cosign's), so a readable file alone does not give the
 * key away, unlike ssh's often unencrypted ones; refusing would break keys kept on shared CI volumes for no gain.
 */
async function warnIfExposed(file: string, io: CliIO): Promise<void> {
  const mode = (await stat(file)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    io.log.warn(
      `private key ${file} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); it is password-protected, but restrict it: chmod 600 ${file}`,
    );
  }
}

async function readKeyFile(file: string): Promise<Uint8Array> {
  const bytes = await readFile(file).catch((cause: unknown) =>
    fail('NOT_FOUND', `cannot read key file ${file}`, { cause, hint: 'create a key pair with: ironclad keygen' }),
  );
  if (bytes.length > MAX_KEY_FILE_BYTES) fail('KEY_INVALID', `${file} is too large to be a key file`);
  return bytes;
}
