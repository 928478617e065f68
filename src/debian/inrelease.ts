import * as openpgp from 'openpgp';
import { fail, sha256Hex } from '../core/index.ts';
import { checkNotFromFuture } from './archive-freshness.ts';
import { fingerprintOfSigner, type TrustedKeys } from './keyring.ts';
import { MAX_RELEASE_LENGTH, parseRelease, type ReleaseFile } from './release.ts';

/**
 * InRelease verification: the root of the chain of trust (DESIGN.md, "Trust from the archive signature down").
 * An InRelease is a Release file in an OpenPGP cleartext signature (RFC 9580 §7). Debian signs each one with two
 * or three keys (the automatic archive keys of two releases, plus the stable release key for stable suites), so
 * one good signature by a pinned key is enough; signatures by other keys are ignored, never trusted.
 */
export interface VerifiedRelease {
  /** The suite as requested (the `dists/` directory), e.g. `bookworm-security`. */
  readonly suite: string;
  /** sha256 of the exact InRelease bytes that were verified (recorded in lockfiles). */
  readonly inReleaseSha256: string;
  /** Primary fingerprints of the pinned keys whose signatures verified. */
  readonly signers: readonly string[];
  /** The signed Release content, parsed. Text outside the signed part is never looked at. */
  readonly release: ReleaseFile;
}

export interface VerifyInReleaseOptions {
  /** The suite requested, for messages and the Suite/Codename check. */
  readonly suite: string;
  /** The current time, from ctx.now(): signature validity and Valid-Until are judged against it. */
  readonly now: Date;
  /**
   * Refuse a Release whose Valid-Until has passed. Default true. Only snapshot archives turn this off: their
   * Release files are historical by design, and the lockfile pins the exact InRelease digest instead.
   */
  readonly checkValidUntil?: boolean;
}

const CLEARTEXT_HEADER = '-----BEGIN PGP SIGNED MESSAGE-----';

/**
 * Verifies InRelease bytes against the trusted keys and returns the parsed signed content.
 * Throws ARCHIVE_UNTRUSTED (naming the suite and the rule) when the file is not cleartext-signed, no signature
 * verifies with a pinned key, the only good signatures are by keys expired (or revoked) at signing time or now,
 * the Release names another suite, its Date is ahead of `now` by more than the allowed clock skew, or Valid-Until
 * is before `now`; INVALID_INPUT when the signed content is not a well-formed Release file. Rollback (a Date
 * older than one already seen) needs remembered state and is checked by the archive client.
 */
export async function verifyInRelease(
  bytes: Uint8Array,
  trusted: TrustedKeys,
  opts: VerifyInReleaseOptions,
): Promise<VerifiedRelease> {
  const { suite } = opts;
  const untrusted = (msg: string, extra: { hint?: string; cause?: unknown } = {}): never =>
    fail('ARCHIVE_UNTRUSTED', `${suite}: ${msg}`, extra);
  if (bytes.length > MAX_RELEASE_LENGTH) untrusted(`InRelease is larger than ${MAX_RELEASE_LENGTH} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    return untrusted('InRelease is not valid UTF-8', { cause: err });
  }
  if (!text.trimStart().startsWith(CLEARTEXT_HEADER)) untrusted('InRelease is not signed');

  const signed = await checkSignatures(text, trusted, opts.now, untrusted);
  const release = parseRelease(signed.text, suite);
  checkIdentity(release, suite, untrusted);
  checkNotFromFuture(release, suite, opts.now);
  if (opts.checkValidUntil !== false && release.validUntil !== undefined && release.validUntil < opts.now) {
    untrusted(`InRelease expired (Valid-Until ${release.validUntil.toISOString()})`, {
      hint: 'the mirror is serving stale metadata; try again later or use another mirror',
    });
  }
  return { suite, inReleaseSha256: sha256Hex(bytes), signers: signed.signers, release };
}

async function checkSignatures(
  text: string,
  trusted: TrustedKeys,
  now: Date,
  untrusted: (msg: string, extra?: { hint?: string; cause?: unknown }) => never,
): Promise<{ text: string; signers: string[] }> {
  let message: openpgp.CleartextMessage;
  let result: Awaited<ReturnType<typeof openpgp.verify>>;
  try {
    message = await openpgp.readCleartextMessage({ cleartextMessage: text });
    result = await openpgp.verify({ message, verificationKeys: [...trusted.keys], date: now, expectSigned: false });
  } catch (err) {
    return untrusted('InRelease signature verification failed: malformed signed message', { cause: err });
  }
  const signers: string[] = [];
  const failures: unknown[] = [];
  const expired: string[] = [];
  for (const sig of result.signatures) {
    const fp = fingerprintOfSigner(trusted, sig.keyID);
    try {
      await sig.verified;
      if (fp === undefined || signers.includes(fp)) continue;
      // openpgp.js judges the key at the signature's creation time only; gpgv (and so apt) also refuses a key
      // that has expired (or was revoked) since: an old signature by a retired key must not verify today.
      const unusable = await unusableNow(trusted, sig.keyID, now);
      if (unusable === undefined) signers.push(fp);
      else expired.push(`${fp} ${unusable}`);
    } catch (err) {
      // Expected for signatures by keys we do not pin (e.g. an older release's key): only one must verify.
      failures.push(err);
      if (fp !== undefined) {
        const at = await expiredAtSigning(trusted, sig, fp);
        if (at !== undefined) expired.push(at);
      }
    }
  }
  if (signers.length === 0 && expired.length > 0) {
    untrusted(`InRelease is signed only by expired keys: ${expired.join('; ')}`, {
      hint: "the archive's signing key has expired: update the keyring and the distro's pinned signing-keys",
    });
  }
  if (signers.length === 0) {
    untrusted('InRelease signature verification failed', {
      hint: `no valid signature by a pinned key (${trusted.fingerprints.join(', ')}); the file may be tampered with, or the distro's key list is out of date`,
      cause: failures[0],
    });
  }
  // The cleartext framework dash-escapes and normalises line endings; getText() is exactly what was signed.
  return { text: message.getText(), signers };
}

/** Why the pinned key that made a good signature may not be used at `now` (expired, revoked), or undefined. */
async function unusableNow(trusted: TrustedKeys, keyID: openpgp.KeyID, now: Date): Promise<string | undefined> {
  const key = trusted.keys.find((k) => k.getKeys(keyID).length > 0);
  if (key === undefined) return 'is not pinned';
  try {
    await key.getSigningKey(keyID, now);
    return undefined;
  } catch {
    const expiry = await key.getExpirationTime().catch(() => null);
    return expiry instanceof Date && expiry <= now
      ? `expired on ${expiry.toISOString()}`
      : `cannot sign at ${now.toISOString()} (expired or revoked)`;
  }
}

/** A description when a pinned key had already expired when it made `sig` (why it failed), else undefined. */
async function expiredAtSigning(
  trusted: TrustedKeys,
  sig: Awaited<ReturnType<typeof openpgp.verify>>['signatures'][number],
  fp: string,
): Promise<string | undefined> {
  try {
    const created = (await sig.signature).packets[0]?.created;
    const key = trusted.keys.find((k) => k.getKeys(sig.keyID).length > 0);
    const expiry = await key?.getExpirationTime();
    if (created instanceof Date && expiry instanceof Date && expiry <= created) {
      return `${fp} had expired on ${expiry.toISOString()}, before it signed on ${created.toISOString()}`;
    }
  } catch {
    // Not an expiry problem; the generic failure is reported.
  }
  return undefined;
}

/**
 * apt checks that a Release belongs to the suite that was asked for; without it a mirror could serve another
 * correctly signed suite (an old `bookworm-updates` in place of `bookworm-security`) at this path. A Release
 * naming neither is refused too: the repository format requires Codename for `dists/` style archives.
 */
function checkIdentity(release: ReleaseFile, suite: string, untrusted: (msg: string) => never): void {
  if (release.suite === suite || release.codename === suite) return;
  untrusted(`InRelease is for suite ${release.suite ?? '?'} (codename ${release.codename ?? '?'}), not ${suite}`);
}
