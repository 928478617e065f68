import { stringify } from 'yaml';
import { fail } from '../core/index.ts';
import { type AdmissionPolicy, type AdmissionPolicyInput, admissionPolicy } from './admission.ts';
import { kyvernoClusterPolicy } from './kyverno.ts';
import { clusterImagePolicies } from './policy-controller.ts';

/** The admission controllers a policy can be exported for, each with the objects it needs (STYLE.md rule 12). */
const CONTROLLERS = new Map<string, (policy: AdmissionPolicy) => readonly Record<string, unknown>[]>([
  ['kyverno', (p) => [kyvernoClusterPolicy(p)]],
  ['sigstore-policy-controller', clusterImagePolicies],
]);

export const ADMISSION_CONTROLLERS: readonly string[] = [...CONTROLLERS.keys()];

/**
 * The policy for `controller` as YAML that `kubectl apply -f` takes: one document per object, `---` between them.
 * A pure function of its input. Multi-line strings (the PEM key) are block literals; nothing is folded, and repeated parts are written out
 * in full (no YAML anchors), so every object reads on its own.
 * @throws IroncladError `USAGE` for an unknown controller or a bad input (admissionPolicy, checkImagePatterns).
 */
export function exportAdmissionPolicy(controller: string, input: AdmissionPolicyInput): string {
  const build = CONTROLLERS.get(controller);
  if (build === undefined) {
    return fail('USAGE', `unknown admission controller ${controller}`, {
      hint: `expected one of: ${ADMISSION_CONTROLLERS.join(', ')}`,
    });
  }
  const objects = build(admissionPolicy(input));
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
