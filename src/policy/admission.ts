import type { KeyObject } from 'node:crypto';
import { publicKeyToPem, requirementTypes } from '../attest/index.ts';
import { fail } from '../core/index.ts';

/**
 * What every admission policy export says, whatever the controller: which images it covers, the one public key their
 * signatures and attestations must verify with, and which attestations (in-toto predicate types) they must carry.
 */
export interface AdmissionPolicy {
  /** `metadata.name` of the (first) policy object: a DNS-1123 subdomain. */
  readonly name: string;
  /** PKIX PEM of the public key (`-----BEGIN PUBLIC KEY-----`), as cosign's `cosign.pub`. */
  readonly publicKeyPem: string;
  /** Image reference patterns, as the user gave them (each controller's own wildcard syntax; see docs/admission.md). */
  readonly images: readonly string[];
  /** Required attestations, each with a short name (a variable name in Kyverno, required by policy-controller). */
  readonly attestations: readonly RequiredAttestation[];
}

export interface RequiredAttestation {
  readonly name: string;
  readonly predicateType: string;
}

export interface AdmissionPolicyInput {
  readonly name: string;
  readonly publicKey: KeyObject;
  readonly images: readonly string[];
  /** Requirement names of `verify --require` (provenance, sbom, vex, tests) or predicate type URIs. */
  readonly require: readonly string[];
}

/** Kubernetes object names (DNS-1123 subdomain): lowercase alphanumerics, '-' and '.', at most 253 characters. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Room left in a name for the suffix of a second policy object (policy-controller's `-attestations`). */
const MAX_NAME = 253 - '-attestations'.length;

/**
 * Resolves and checks the input once: the name is a valid object name, there is at least one image pattern, and
 * every requirement names a predicate type. Each requirement expands to the predicate types Ironclad attaches for it;
 * `sbom` requires both SBOM formats, because a build attaches both and neither controller can say "either".
 * @throws IroncladError `USAGE` for a bad name, no image pattern or an unknown requirement.
 */
export function admissionPolicy(input: AdmissionPolicyInput): AdmissionPolicy {
  if (input.name.length > MAX_NAME || !DNS_SUBDOMAIN.test(input.name)) {
    fail('USAGE', `--name ${input.name}: not a Kubernetes object name`, {
      hint: `use lowercase letters, digits, '-' and '.', at most ${MAX_NAME} characters, e.g. --name ironclad-images`,
    });
  }
  if (input.images.length === 0) {
    fail('USAGE', 'no image pattern given', { hint: "name the images the policy covers: --images 'REGISTRY/REPO/*'" });
  }
  return {
    name: input.name,
    publicKeyPem: publicKeyToPem(input.publicKey).trim(),
    images: [...new Set(input.images)],
    attestations: requiredAttestations(input.require),
  };
}

/** `provenance` → provenance; `sbom` → sbom_spdx, sbom_cyclonedx; a URI → attestation_N. Duplicates go. */
function requiredAttestations(require: readonly string[]): RequiredAttestation[] {
  const out: RequiredAttestation[] = [];
  const seen = new Set<string>();
  let custom = 0;
  for (const requirement of require) {
    const types = requirementTypes(requirement);
    for (const predicateType of types) {
      if (seen.has(predicateType)) continue;
      seen.add(predicateType);
      const name = isUri(requirement)
        ? `attestation_${++custom}`
        : types.length === 1
          ? requirement
          : `${requirement}_${formatLabel(predicateType)}`;
      out.push({ name, predicateType });
    }
  }
  return out;
}

function isUri(requirement: string): boolean {
  return requirement.includes('://');
}

/** `https://spdx.dev/Document` → `spdx`: the first label of the predicate type's host. */
function formatLabel(predicateType: string): string {
  return (new URL(predicateType).hostname.split('.')[0] ?? 'type').replace(/[^a-z0-9]/g, '');
}

/**
 * Refuses image patterns a controller would not match as meant: characters outside its wildcard syntax, or no
 * registry/repository part (a bare `*` means Docker Hub's library images to both controllers, never "everything").
 * @throws IroncladError `USAGE` naming the first bad pattern.
 */
export function checkImagePatterns(patterns: readonly string[], allowed: RegExp, controller: string): void {
  for (const pattern of patterns) {
    if (!allowed.test(pattern) || !pattern.includes('/')) {
      fail('USAGE', `--images ${pattern}: not an image pattern ${controller} accepts`, {
        hint: "give a registry and repository with wildcards, e.g. --images 'registry.example.com/team/*'",
      });
    }
  }
}
