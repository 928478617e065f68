import type { KeyObject } from 'node:crypto';
import { type ErrorCode, fail, IroncladError } from '../core/index.ts';
import { type Descriptor, type Digest, formatPlatform } from '../oci/index.ts';
import { collectEvidence, type Evidence } from './evidence.ts';
import { verifyAttestationEvidence, verifySignatureEvidence } from './evidence-verify.ts';
import { CTRF_REPORT, CYCLONEDX_BOM, OPENVEX_V020, SLSA_PROVENANCE_V1, SPDX_DOCUMENT } from './predicates/index.ts';
import type { ReferrerSink } from './referrer-sink.ts';

/** Short names for the attestations `verify --require` knows; any other value must be a predicate type URI. */
export const REQUIREMENTS: Readonly<Record<string, readonly string[]>> = {
  provenance: [SLSA_PROVENANCE_V1],
  /** Either SBOM format satisfies `sbom`. */
  sbom: [SPDX_DOCUMENT, CYCLONEDX_BOM],
  vex: [OPENVEX_V020],
  tests: [CTRF_REPORT],
};

/** What to verify: the top-level descriptor as resolved, and its platform manifests (just `top` for one manifest). */
export interface ImageTarget {
  readonly top: Descriptor;
  readonly platforms: readonly Descriptor[];
}

/** One check and its outcome; `code` is the error code of a failure. */
export interface VerificationCheck {
  readonly check: string;
  readonly subject: Digest;
  readonly platform?: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly code?: ErrorCode;
}

export interface ImageVerification {
  readonly ok: boolean;
  readonly checks: readonly VerificationCheck[];
}

/**
 * `verify`: checks that (a) the image is signed with `publicKey` — each platform manifest carries a valid
 * signature itself or through a valid signature on the index that lists it — and (b) each platform manifest has,
 * for each requirement, an attestation signed with `publicKey` whose statement names that manifest's digest and
 * has the required predicate type. Every check is run and reported; nothing throws for a failed check.
 * @throws IroncladError `USAGE` for an unknown requirement name.
 */
export async function verifyImage(
  sink: ReferrerSink,
  target: ImageTarget,
  publicKey: KeyObject,
  require: readonly string[],
): Promise<ImageVerification> {
  const wanted = require.map((r) => ({ name: r, types: requirementTypes(r) }));
  const checks: VerificationCheck[] = [];
  const isIndex = target.platforms.length !== 1 || target.platforms[0]?.digest !== target.top.digest;
  const indexSigned = isIndex ? await signatureCheck(sink, target.top, publicKey, 'index signature') : undefined;
  let unsignedPlatform = false;
  for (const manifest of target.platforms) {
    const platform = manifest.platform === undefined ? undefined : formatPlatform(manifest.platform);
    const own = await signatureCheck(sink, manifest, publicKey, 'signature');
    unsignedPlatform ||= !own.ok;
    checks.push(withPlatform(own.ok || indexSigned?.ok !== true ? own : coveredByIndex(own), platform));
    const evidence = await collectEvidence(sink, manifest.digest);
    for (const w of wanted) checks.push(withPlatform(attestationCheck(evidence, manifest, publicKey, w), platform));
  }
  // A missing index signature matters only when some platform manifest is not signed itself.
  if (indexSigned !== undefined && (indexSigned.ok || unsignedPlatform)) checks.unshift(indexSigned);
  return { ok: checks.every((c) => c.ok), checks };
}

/** The predicate types a requirement accepts. @throws USAGE for an unknown short name. */
export function requirementTypes(requirement: string): readonly string[] {
  const known = REQUIREMENTS[requirement];
  if (known !== undefined) return known;
  if (/^[a-z][a-z0-9+.-]*:\/\/./i.test(requirement)) return [requirement];
  return fail('USAGE', `--require ${requirement}: expected ${Object.keys(REQUIREMENTS).join(', ')} or a URI`);
}

async function signatureCheck(
  sink: ReferrerSink,
  subject: Descriptor,
  publicKey: KeyObject,
  check: string,
): Promise<VerificationCheck> {
  const evidence = (await collectEvidence(sink, subject.digest)).filter(
    (e) => e.kind === 'signature' || e.kind === 'cosign-signature',
  );
  if (evidence.length === 0) {
    return { check, subject: subject.digest, ok: false, detail: 'no signature found', code: 'VERIFICATION_FAILED' };
  }
  let failure: IroncladError | undefined;
  for (const e of evidence) {
    try {
      verifySignatureEvidence(e, publicKey, subject.digest);
      return { check, subject: subject.digest, ok: true, detail: `signed (${e.manifest.digest})` };
    } catch (err) {
      failure = asFailure(err);
    }
  }
  return failed(check, subject.digest, failure);
}

function attestationCheck(
  evidence: readonly Evidence[],
  manifest: Descriptor,
  publicKey: KeyObject,
  wanted: { readonly name: string; readonly types: readonly string[] },
): VerificationCheck {
  const check = `attestation ${wanted.name}`;
  let failure: IroncladError | undefined;
  for (const e of evidence) {
    if (e.kind !== 'attestation' && e.kind !== 'cosign-attestation') continue;
    // The annotation is unauthenticated; it only saves trying bundles that are about something else.
    const types = e.predicateType === undefined ? wanted.types : wanted.types.filter((t) => t === e.predicateType);
    for (const predicateType of types) {
      try {
        verifyAttestationEvidence(e, publicKey, { subjectDigest: manifest.digest, predicateType });
        return { check, subject: manifest.digest, ok: true, detail: `${predicateType} (${e.manifest.digest})` };
      } catch (err) {
        failure = asFailure(err);
      }
    }
  }
  if (failure === undefined) {
    const detail = `missing: no ${wanted.types.join(' or ')} attestation`;
    return { check, subject: manifest.digest, ok: false, detail, code: 'VERIFICATION_FAILED' };
  }
  return failed(check, manifest.digest, failure);
}

function failed(check: string, subject: Digest, err: IroncladError | undefined): VerificationCheck {
  return {
    check,
    subject,
    ok: false,
    detail: err?.message ?? 'failed',
    code: err?.code ?? 'VERIFICATION_FAILED',
  };
}

function coveredByIndex(c: VerificationCheck): VerificationCheck {
  return { check: c.check, subject: c.subject, ok: true, detail: 'covered by the index signature' };
}

function withPlatform(c: VerificationCheck, platform: string | undefined): VerificationCheck {
  return platform === undefined ? c : { ...c, platform };
}

/** Integrity failures become report entries; anything else (a bug, an I/O error) still propagates. */
function asFailure(err: unknown): IroncladError {
  if (err instanceof IroncladError) return err;
  throw err;
}
