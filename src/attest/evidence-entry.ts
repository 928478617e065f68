import type { KeyObject } from 'node:crypto';
import { type ErrorCode, IroncladError } from '../core/index.ts';
import { type Digest, REF_NAME_ANNOTATION } from '../oci/index.ts';
import type { Evidence } from './evidence.ts';
import { evidenceKeyHint, verifyAttestationEvidence, verifySignatureEvidence } from './evidence-verify.ts';

/*
 * One verdict per signature or attestation found for a subject, so `verify` can list all of them: a tampered
 * one must be reported even when another valid one satisfies the requirement.
 */

/** Why an entry failed, for people and for `--format json`. */
export type FailureReason =
  | 'bad signature'
  | 'wrong key'
  | 'subject mismatch'
  | 'type mismatch'
  | 'corrupt blob'
  | 'missing blob'
  | 'unparsable';

export type EvidenceForm = 'referrer' | 'cosign-tag';

/** A signature or attestation attached to `subject` (the index or a platform manifest) and its verdict. */
export interface EvidenceEntry {
  readonly subject: Digest;
  readonly platform?: string;
  /** The referrer (or cosign tag) manifest that carries it. */
  readonly referrer: Digest;
  /** How it is stored: an OCI 1.1 referrer (sigstore bundle), or a layer of cosign's `.sig`/`.att` tag. */
  readonly form: EvidenceForm;
  /** The cosign tag, for the `cosign-tag` form. */
  readonly tag?: string;
  /** `unknown` when the referrer could not be read far enough to tell. */
  readonly kind: 'signature' | 'attestation' | 'unknown';
  /** The verified statement's type when ok; otherwise the (unauthenticated) annotation, if any. */
  readonly predicateType?: string;
  readonly ok: boolean;
  readonly reason?: FailureReason;
  readonly detail: string;
  readonly code?: ErrorCode;
}

/**
 * Verifies one piece of evidence against `publicKey` and `subject`, with any predicate type. Returns undefined
 * for referrers that are neither signatures nor attestations (unsigned SBOM artifacts, foreign artifact types).
 * @throws anything that is not an IroncladError (a bug or an I/O error is not a verdict).
 */
export function judgeEvidence(
  e: Evidence,
  subject: Digest,
  publicKey: KeyObject,
  keyId: string,
): EvidenceEntry | undefined {
  const tag = e.manifest.annotations?.[REF_NAME_ANNOTATION];
  const base = {
    subject,
    referrer: e.manifest.digest,
    ...(tag === undefined ? { form: 'referrer' as const } : { form: 'cosign-tag' as const, tag }),
  };
  switch (e.kind) {
    case 'other':
      return undefined;
    case 'unreadable':
      return { ...base, kind: 'unknown', ok: false, reason: readReason(e.code), detail: e.problem, code: e.code };
    case 'signature':
    case 'cosign-signature':
      return verdict({ ...base, kind: 'signature' }, e, keyId, () => {
        verifySignatureEvidence(e, publicKey, subject);
        return { detail: 'signed' };
      });
    case 'attestation':
    case 'cosign-attestation': {
      const annotated = e.predicateType === undefined ? {} : { predicateType: e.predicateType };
      const entry = verdict({ ...base, kind: 'attestation', ...annotated }, e, keyId, () => {
        const { statement } = verifyAttestationEvidence(e, publicKey, { subjectDigest: subject });
        return { detail: 'signed statement about this manifest', predicateType: statement.predicateType };
      });
      // The annotation picks attestations for readers that trust it; one that lies is tampering.
      if (!entry.ok || e.predicateType === undefined || e.predicateType === entry.predicateType) return entry;
      const detail = `the referrer says ${e.predicateType}, the signed statement ${entry.predicateType}`;
      return { ...entry, ok: false, reason: 'type mismatch', detail, code: 'VERIFICATION_FAILED' };
    }
  }
}

type Head = Pick<EvidenceEntry, 'subject' | 'referrer' | 'form' | 'tag' | 'kind' | 'predicateType'>;

function verdict(
  head: Head,
  e: Evidence,
  keyId: string,
  check: () => { detail: string; predicateType?: string },
): EvidenceEntry {
  try {
    return { ...head, ok: true, ...check() };
  } catch (err) {
    if (!(err instanceof IroncladError)) throw err;
    return { ...head, ok: false, reason: failureReason(err, e, keyId), detail: err.message, code: err.code };
  }
}

function failureReason(err: IroncladError, e: Evidence, keyId: string): FailureReason {
  switch (err.code) {
    case 'SIGNATURE_INVALID': {
      // The hint is unauthenticated: it only tells "signed by someone else" from "altered after signing".
      const hint = evidenceKeyHint(e);
      return hint !== '' && hint !== keyId && hint !== 'cosign' ? 'wrong key' : 'bad signature';
    }
    case 'SUBJECT_MISMATCH':
      return 'subject mismatch';
    case 'DIGEST_MISMATCH':
    case 'NOT_FOUND':
      return readReason(err.code);
    default:
      return 'unparsable';
  }
}

function readReason(code: ErrorCode): FailureReason {
  if (code === 'DIGEST_MISMATCH') return 'corrupt blob';
  if (code === 'NOT_FOUND') return 'missing blob';
  return 'unparsable';
}
