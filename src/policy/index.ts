/*
 * policy: admission policies for Kubernetes controllers (Kyverno, Sigstore policy-controller) that admit only images
 * signed with an Ironclad key and carrying the required attestations. Pure: renders objects, touches no cluster.
 */

export type { AdmissionPolicyInput } from './admission.ts';
export { ADMISSION_CONTROLLERS, exportAdmissionPolicy } from './export.ts';
