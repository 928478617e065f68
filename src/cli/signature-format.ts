import { fail } from '../core/index.ts';
import { DEFAULT_SIGNATURE_FORMAT, SIGNATURE_FORMATS, type SignatureFormat } from '../oci/index.ts';

/** The `--signature-format` flag of the verbs that sign, attest or copy signatures: its help text. */
export const SIGNATURE_FORMAT_HELP =
  'where signatures and attestations go: referrers (OCI 1.1 referrers with sigstore bundles), tags (cosign’s ' +
  'sha256-<digest>.sig/.att tags) or both';

/** `--signature-format` → SignatureFormat (default both). @throws USAGE for another value. */
export function signatureFormatOption(value: string | undefined): SignatureFormat {
  if (value === undefined) return DEFAULT_SIGNATURE_FORMAT;
  const known = SIGNATURE_FORMATS.find((f) => f === value);
  return (
    known ??
    fail('USAGE', `--signature-format ${value}: expected ${SIGNATURE_FORMATS.join(', ')}`, {
      hint: 'both (the default) writes what every verifier reads: OCI referrers and cosign tags',
    })
  );
}
