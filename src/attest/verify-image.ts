import type { KeyObject } from 'node:crypto';
import { type ErrorCode, fail } from '../core/index.ts';
import { type Descriptor, type Digest, formatPlatform, type Referrers } from '../oci/index.ts';
import { collectEvidence } from './evidence.ts';
import { type EvidenceEntry, judgeEvidence } from './evidence-entry.ts';
import { keyFingerprint } from './keys.ts';
import { CTRF_REPORT, CYCLONEDX_BOM, OPENVEX_V020, SLSA_PROVENANCE_V1, SPDX_DOCUMENT } from './predicates/index.ts';

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
  /** Every requirement is met and no entry FAILED (or FAILED entries were allowed). */
  readonly ok: boolean;
  /** The requirements: signed, and each required attestation per platform manifest. */
  readonly checks: readonly VerificationCheck[];
  /** Every signature and attestation found on the index and the platform manifests, each with its verdict. */
  readonly entries: readonly EvidenceEntry[];
}

export interface VerifyImageOptions {
  /** Requirement names or predicate type URIs (REQUIREMENTS). */
  readonly require: readonly string[];
  /** A FAILED entry does not fail the result when the requirements are met (it is still reported). */
  readonly allowInvalidExtra?: boolean;
}

/**
 * `verify`: lists every signature and attestation attached to the index and to each platform manifest, each
 * verified with `publicKey` against the manifest it is attached to; then checks that (a) each platform manifest
 * is signed itself or through a valid signature on the index that lists it, and (b) the index (when there is one)
 * and each platform manifest have, for each requirement, a valid attestation of a required predicate type about
 * that digest: an admission controller checks the index when a pod names a multi-platform tag. A FAILED entry fails the result even
 * when another valid one meets the requirement, unless `allowInvalidExtra`. Nothing throws for a failed check.
 * @throws IroncladError `USAGE` for an unknown requirement name.
 */
export async function verifyImage(
  sink: Referrers,
  target: ImageTarget,
  publicKey: KeyObject,
  opts: VerifyImageOptions,
): Promise<ImageVerification> {
  const wanted = opts.require.map((r) => ({ name: r, types: requirementTypes(r) }));
  const keyId = keyFingerprint(publicKey);
  const checks: VerificationCheck[] = [];
  const entries: EvidenceEntry[] = [];
  const isIndex = target.platforms.length !== 1 || target.platforms[0]?.digest !== target.top.digest;
  let indexSigned: VerificationCheck | undefined;
  const indexChecks: VerificationCheck[] = [];
  if (isIndex) {
    const found = await entriesFor(sink, target.top.digest, undefined, publicKey, keyId);
    entries.push(...found);
    indexSigned = signatureCheck(found, target.top.digest, 'index signature');
    // Admission controllers check the digest a pod names, the index for a multi-platform tag.
    for (const w of wanted) indexChecks.push(attestationCheck(found, target.top.digest, w, 'index attestation'));
  }
  let unsignedPlatform = false;
  for (const manifest of target.platforms) {
    const platform = manifest.platform === undefined ? undefined : formatPlatform(manifest.platform);
    const found = await entriesFor(sink, manifest.digest, platform, publicKey, keyId);
    entries.push(...found);
    const own = signatureCheck(found, manifest.digest, 'signature');
    unsignedPlatform ||= !own.ok;
    checks.push(withPlatform(own.ok || indexSigned?.ok !== true ? own : coveredByIndex(own), platform));
    for (const w of wanted) checks.push(withPlatform(attestationCheck(found, manifest.digest, w), platform));
  }
  // A missing index signature matters only when some platform manifest is not signed itself.
  checks.unshift(...indexChecks);
  if (indexSigned !== undefined && (indexSigned.ok || unsignedPlatform)) checks.unshift(indexSigned);
  const extraOk = opts.allowInvalidExtra === true || entries.every((e) => e.ok);
  return { ok: extraOk && checks.every((c) => c.ok), checks, entries };
}

/** The predicate types a requirement accepts. @throws USAGE for an unknown short name. */
export function requirementTypes(requirement: string): readonly string[] {
  const known = REQUIREMENTS[requirement];
  if (known !== undefined) return known;
  if (/^[a-z][a-z0-9+.-]*:\/\/./i.test(requirement)) return [requirement];
  return fail('USAGE', `--require ${requirement}: expected ${Object.keys(REQUIREMENTS).join(', ')} or a URI`, {
    hint: 'e.g. --require provenance,sbom or --require https://example.com/predicate/v1',
  });
}

async function entriesFor(
  sink: Referrers,
  subject: Digest,
  platform: string | undefined,
  publicKey: KeyObject,
  keyId: string,
): Promise<EvidenceEntry[]> {
  const evidence = await collectEvidence(sink, subject);
  return evidence.flatMap((e) => {
    const entry = judgeEvidence(e, subject, publicKey, keyId);
    if (entry === undefined) return [];
    return [platform === undefined ? entry : { ...entry, platform }];
  });
}

function signatureCheck(found: readonly EvidenceEntry[], subject: Digest, check: string): VerificationCheck {
  const signatures = found.filter((e) => e.kind === 'signature');
  const good = signatures.find((e) => e.ok);
  if (good !== undefined) return { check, subject, ok: true, detail: `signed (${good.referrer})` };
  return notMet(check, subject, 'no signature found', signatures.concat(found.filter((e) => e.kind === 'unknown')));
}

function attestationCheck(
  found: readonly EvidenceEntry[],
  subject: Digest,
  wanted: { readonly name: string; readonly types: readonly string[] },
  label = 'attestation',
): VerificationCheck {
  const check = `${label} ${wanted.name}`;
  const matches = (e: EvidenceEntry) => e.predicateType !== undefined && wanted.types.includes(e.predicateType);
  const good = found.find((e) => e.kind === 'attestation' && e.ok && matches(e));
  if (good !== undefined) return { check, subject, ok: true, detail: `${good.predicateType} (${good.referrer})` };
  // Failed evidence that may have been the required one: of that type by its annotation, or unreadable.
  const candidates = found.filter(
    (e) =>
      !e.ok && (e.kind === 'unknown' || (e.kind === 'attestation' && (matches(e) || e.predicateType === undefined))),
  );
  return notMet(check, subject, `missing: no ${wanted.types.join(' or ')} attestation`, candidates);
}

/** A requirement not met: "missing" only when nothing that could have met it was found. */
function notMet(check: string, subject: Digest, missing: string, failed: readonly EvidenceEntry[]): VerificationCheck {
  const first = failed[0];
  if (first === undefined) return { check, subject, ok: false, detail: missing, code: 'VERIFICATION_FAILED' };
  const list = failed.map((e) => `${e.referrer} (${e.reason}: ${e.detail})`).join('; ');
  return { check, subject, ok: false, detail: `FAILED: ${list}`, code: first.code ?? 'VERIFICATION_FAILED' };
}

function coveredByIndex(c: VerificationCheck): VerificationCheck {
  return { check: c.check, subject: c.subject, ok: true, detail: 'covered by the index signature' };
}

function withPlatform(c: VerificationCheck, platform: string | undefined): VerificationCheck {
  return platform === undefined ? c : { ...c, platform };
}
