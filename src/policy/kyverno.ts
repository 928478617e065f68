import { type AdmissionPolicy, checkImagePatterns } from './admission.ts';

/*
 * A Kyverno ClusterPolicy (kyverno.io/v1) with one verifyImages rule. Field names are those of Kyverno's published
 * CRD (config/crds/kyverno/kyverno.io_clusterpolicies.yaml, vendored for the tests in test/fixtures/policy).
 *
 * Choices, each a Kyverno default made explicit or a fact of how Ironclad signs:
 * - `type: Cosign` reads cosign's `sha256-<digest>.sig` / `.att` tags. Kyverno's `SigstoreBundle` type checks a
 *   message-signature bundle's digest against the image digest, and ours signs the simple-signing payload instead,
 *   so it would never match our image signatures (docs/admission.md).
 * - Every attestation carries its own attestors: Kyverno does not apply the rule's attestors to attestations, and an
 *   attestation without them is checked keyless.
 * - `rekor.ignoreTlog` and `ctlog.ignoreSCT`: Ironclad's key signatures are not logged in a transparency log, so
 *   requiring an entry would reject every image.
 * - `failurePolicy: Fail`, `failureAction: Enforce`, `required`, `verifyDigest`: an unreachable registry or a
 *   missing signature rejects the pod instead of admitting it.
 */

/** Image reference patterns Kyverno matches: reference characters plus its wildcards `*` and `?`. */
const KYVERNO_PATTERN = /^[A-Za-z0-9._:/@*?-]+$/;

/** Registry calls at admission can take longer than Kyverno's 10 s default (its own samples use 30 s). */
const WEBHOOK_TIMEOUT_SECONDS = 30;

/** The ClusterPolicy object (to be rendered as YAML). @throws IroncladError `USAGE` for a bad image pattern. */
export function kyvernoClusterPolicy(policy: AdmissionPolicy): Record<string, unknown> {
  checkImagePatterns(policy.images, KYVERNO_PATTERN, 'Kyverno');
  const attestors = [
    {
      entries: [
        {
          keys: {
            publicKeys: policy.publicKeyPem,
            signatureAlgorithm: 'sha256',
            rekor: { ignoreTlog: true },
            ctlog: { ignoreSCT: true },
          },
        },
      ],
    },
  ];
  return {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: { name: policy.name, annotations: annotations(policy) },
    spec: {
      failurePolicy: 'Fail',
      webhookTimeoutSeconds: WEBHOOK_TIMEOUT_SECONDS,
      rules: [
        {
          name: 'verify-ironclad-signature',
          match: { any: [{ resources: { kinds: ['Pod'] } }] },
          verifyImages: [
            {
              imageReferences: [...policy.images],
              type: 'Cosign',
              failureAction: 'Enforce',
              required: true,
              verifyDigest: true,
              mutateDigest: true,
              attestors,
              ...(policy.attestations.length > 0 && {
                attestations: policy.attestations.map((a) => ({ name: a.name, type: a.predicateType, attestors })),
              }),
            },
          ],
        },
      ],
    },
  };
}

function annotations(policy: AdmissionPolicy): Record<string, string> {
  const required = policy.attestations.map((a) => a.predicateType);
  return {
    'policies.kyverno.io/title': 'Ironclad images are signed',
    'policies.kyverno.io/subject': 'Pod',
    'policies.kyverno.io/description':
      'Pods may run images matching the patterns only when the image is signed with the Ironclad key' +
      (required.length === 0 ? '.' : ` and carries signed attestations of type ${required.join(', ')}.`),
  };
}
