import * as openpgp from 'openpgp';
import { fail, sha256Hex } from '../core/index.ts';
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
 * Throws ARCHIVE_UNTRUSTED (naming the suite) when the file is not cleartext-signed, no signature verifies with
 * a pinned key, the Release names another suite, or Valid-Until is before `now`; INVALID_INPUT when the signed
 * content is not a well-formed Release file.
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
  for (const sig of result.signatures) {
    try {
      await sig.verified;
      const fp = fingerprintOfSigner(trusted, sig.keyID);
      if (fp !== undefined && !signers.includes(fp)) signers.push(fp);
    } catch (err) {
      // Expected for signatures by keys we do not pin (e.g. an older release's key): only one must verify.
      failures.push(err);
    }
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

/**
 * apt checks that a Release belongs to the suite that was asked for; without it a mirror could serve another
 * correctly signed suite (an old `bookworm-updates` in place of `bookworm-security`) at this path. A Release
 * naming neither is refused too: the repository format requires Codename for `dists/` style archives.
 */
function checkIdentity(release: ReleaseFile, suite: string, untrusted: (msg: string) => never): void {
  if (release.suite === suite || release.codename === suite) return;
  untrusted(`InRelease is for suite ${release.suite ?? '?'} (codename ${release.codename ?? '?'}), not ${suite}`);
}
