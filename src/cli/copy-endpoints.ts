import { fail } from '../core/index.ts';
import { formatImageRef, type ImageRef, isRegistryRef, type RegistryRef } from '../oci/index.ts';

export type { RegistryRef };

/** USAGE unless `ref` is a registry reference; `role` says which argument, for the message. */
export function requireRegistry(ref: ImageRef, role: string): RegistryRef {
  if (!isRegistryRef(ref)) {
    fail('USAGE', `${role} must be a registry reference, not ${formatImageRef(ref)}`, {
      hint: 'write docker://HOST/REPO[:TAG] (or HOST/REPO[:TAG]); ironclad copy copies between any two places',
    });
  }
  return ref;
}
