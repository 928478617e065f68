import { type AdmissionPolicy, checkImagePatterns } from './admission.ts';

/*
 * Sigstore policy-controller ClusterImagePolicy objects (policy.sigstore.dev/v1beta1). Field names are those of its
 * published CRD (config/300-clusterimagepolicy.yaml, vendored for the tests in test/fixtures/policy).
 *
 * policy-controller admits an image when, for every ClusterImagePolicy matching it, at least ONE authority passes,
 * and an authority with `attestations` checks only those attestations, not the image signature. So "signed AND
 * attested" takes two objects: NAME (signature) and NAME-attestations (each required predicate type). The key
 * authority has no `ctlog`, so no transparency log entry is required (Ironclad's key signatures have none), and the
 * default "legacy" signature format reads cosign's `.sig`/`.att` tags: its "bundle" format is keyless-only.
 */

/** policy-controller's glob syntax (pkg/apis/glob): `*` within one path segment, `**` across segments. */
const GLOB = /^[a-zA-Z0-9\-_:/*.@]+$/;

/** The ClusterImagePolicy objects, signature first. @throws IroncladError `USAGE` for a bad image pattern. */
export function clusterImagePolicies(policy: AdmissionPolicy): Record<string, unknown>[] {
  checkImagePatterns(policy.images, GLOB, 'policy-controller');
  const key = { data: policy.publicKeyPem, hashAlgorithm: 'sha256' };
  const images = policy.images.map((glob) => ({ glob }));
  const signature = clusterImagePolicy(policy.name, images, [{ name: 'ironclad-signature', key }]);
  if (policy.attestations.length === 0) return [signature];
  const attestations = policy.attestations.map((a) => ({ name: a.name, predicateType: a.predicateType }));
  return [
    signature,
    clusterImagePolicy(`${policy.name}-attestations`, images, [{ name: 'ironclad-attestations', key, attestations }]),
  ];
}

function clusterImagePolicy(
  name: string,
  images: readonly { glob: string }[],
  authorities: readonly Record<string, unknown>[],
): Record<string, unknown> {
  return {
    apiVersion: 'policy.sigstore.dev/v1beta1',
    kind: 'ClusterImagePolicy',
    metadata: { name },
    spec: { mode: 'enforce', images, authorities },
  };
}
