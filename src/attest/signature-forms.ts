import { IroncladError } from '../core/index.ts';
import type { Descriptor, Referrers } from '../oci/index.ts';
import { collectEvidence } from './evidence.ts';
import { unverifiedStatement } from './evidence-verify.ts';
import { attestationReferrer, imageSignatureReferrer, type ReferrerArtifact } from './referrer.ts';

/*
 * One signature, two packagings: a signature or attestation stored as an OCI referrer (sigstore bundle) holds
 * everything its cosign tag form needs (the simple-signing payload and signature, or the DSSE envelope), so the
 * tag form can be written from it without the key. Nothing is verified here: a copy carries signatures as they
 * are, and `verify` judges them wherever they end up.
 */

/**
 * For every signature and attestation kept as an OCI referrer of `subjects` in `from`, stores the same signature
 * in `to` in the forms `to` writes (open it with the `tags` signature format to add just the cosign tags; `from`
 * and `to` may be the same place). Equal layers are kept once, so running it again adds nothing. Referrers that
 * cannot be read are left to `verify` to report. Returns how many signatures and attestations were written.
 */
export async function addSignatureForms(
  from: Referrers,
  to: Referrers,
  subjects: readonly Descriptor[],
): Promise<number> {
  let written = 0;
  const seen = new Set<string>();
  for (const subject of subjects) {
    if (seen.has(subject.digest)) continue;
    seen.add(subject.digest);
    for (const e of await collectEvidence(from, subject.digest)) {
      const artifact = artifactOf(e, subject);
      if (artifact === undefined) continue;
      await to.attach(artifact);
      written++;
    }
  }
  return written;
}

function artifactOf(
  e: Awaited<ReturnType<typeof collectEvidence>>[number],
  subject: Descriptor,
): ReferrerArtifact | undefined {
  try {
    if (e.kind === 'signature') return imageSignatureReferrer({ bundle: e.bundle, payload: e.payload }, subject);
    if (e.kind === 'attestation') {
      return attestationReferrer(e.bundle, subject, e.predicateType ?? unverifiedStatement(e).predicateType);
    }
  } catch (err) {
    // A malformed bundle has no other form to give; verify lists it as FAILED where it is.
    if (err instanceof IroncladError) return undefined;
    throw err;
  }
  return undefined;
}
