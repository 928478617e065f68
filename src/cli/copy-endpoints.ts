import { fail } from '../core/index.ts';
import {
  formatImageRef,
  type ImageRef,
  type ImageWriter,
  isRegistryRef,
  type RegistryRef,
  untaggedByDigest,
} from '../oci/index.ts';
import type { CopySource, RegistryAccess } from '../registry/index.ts';
import type { CliIO } from './io.ts';
import { openRef } from './source.ts';

/**
 * The two ends of push, pull, copy: any image reference as a source, and a registry repository, an OCI layout
 * or the local store as a destination. What each verb accepts on which side is checked by the verb; the
 * transports themselves come from the endpoint table.
 */

export type { RegistryRef };

export interface CopyEnd<T> {
  readonly value: T;
  /** As the user would type it, for messages and reports. */
  readonly display: string;
}

/** Opens `ref` for reading; lazy. */
export function copySource(ref: ImageRef, io: CliIO, access: RegistryAccess): CopyEnd<CopySource> {
  const endpoint = openRef(ref, io, { access });
  return { value: { store: endpoint.store, ref: endpoint.reference }, display: endpoint.display };
}

export interface Destination {
  readonly sink: ImageWriter;
  /** Tag of the copied image at the destination (the transport's name for it); undefined stores by digest. */
  readonly tag?: string;
  /** Whether an untagged copy is addressed by its digest (registry, store) rather than by the place (layout). */
  readonly byDigest: boolean;
}

/**
 * Opens `ref` for writing (an OCI layout or the store is created at the first write). The destination's own tag
 * wins; without one the copy takes `fallbackTag`. A digest names content, not a place, so it is refused here.
 * @throws IroncladError USAGE for a docker-archive or a digest destination.
 */
export function copyDestination(
  ref: ImageRef,
  fallbackTag: string | undefined,
  io: CliIO,
  access: RegistryAccess,
): CopyEnd<Destination> {
  if ('digest' in ref && ref.digest !== undefined) {
    fail('USAGE', `${formatImageRef(ref)}: a destination is named by a tag, not a digest`, {
      hint: 'drop the @sha256:… part; the digest follows from the content and is printed after the copy',
    });
  }
  const endpoint = openRef(ref, io, { access });
  const sink = endpoint.requireWriter();
  const tag = 'tag' in ref && ref.tag !== undefined ? ref.tag : fallbackTag;
  const display = formatImageRef(tag === undefined ? ref : ({ ...ref, tag } as ImageRef));
  return {
    value: { sink, ...(tag !== undefined && { tag: endpoint.tagName(tag) }), byDigest: untaggedByDigest(ref) },
    display,
  };
}

/** USAGE unless `ref` is a registry reference; `role` says which argument, for the message. */
export function requireRegistry(ref: ImageRef, role: string): RegistryRef {
  if (!isRegistryRef(ref)) {
    fail('USAGE', `${role} must be a registry reference, not ${formatImageRef(ref)}`, {
      hint: 'write docker://HOST/REPO[:TAG] (or HOST/REPO[:TAG]); ironclad copy copies between any two places',
    });
  }
  return ref;
}
