import { type ImageVariant, RUNTIME_VARIANT } from '../definition/index.ts';
import type { ImageConfig } from '../oci/index.ts';
import type { Expectations } from './types.ts';

/** Labels the builder sets on every image it makes (read here, never trusted for what the filesystem shows). */
export const IRONCLAD_LABELS = {
  variant: 'dev.ironclad.variant',
  shell: 'dev.ironclad.shell',
  packageManager: 'dev.ironclad.package-manager',
  kind: 'dev.ironclad.kind',
} as const;

/**
 * What to hold an image to: the definition's variant when given; else the image's own `dev.ironclad.*` labels
 * (so `ironclad test python:3.11-dev` knows a dev image may have a shell); else, for a foreign image, the
 * runtime rules. Labels only relax the shell / package-manager checks for non-runtime variants.
 */
export function expectationsFor(config: ImageConfig, variant?: ImageVariant): Expectations {
  if (variant !== undefined) {
    return {
      variant: variant.variant,
      ours: true,
      hardened: variant.kind !== 'reference',
      shellAllowed: variant.shell,
      packageManagerAllowed: variant.packageManager,
      ...(variant.sizeBudget !== undefined && { sizeBudget: variant.sizeBudget }),
      ...(variant.packageBudget !== undefined && { packageBudget: variant.packageBudget }),
      platforms: variant.platforms,
      tests: variant.tests,
    };
  }
  const labels = config.config?.Labels ?? {};
  const labelled = labels[IRONCLAD_LABELS.variant];
  return {
    variant: labelled ?? RUNTIME_VARIANT,
    ours: labelled !== undefined,
    hardened: labels[IRONCLAD_LABELS.kind] !== 'reference',
    shellAllowed: labels[IRONCLAD_LABELS.shell] === 'true',
    packageManagerAllowed: labels[IRONCLAD_LABELS.packageManager] === 'true',
    tests: [],
  };
}
