import { canonicalJsonBytes, fail } from '../core/index.ts';
import { isRecord, parseJsonBytes } from './encoding.ts';
import { sha256HexOf } from './statement.ts';

/*
 * The payload of a plain image signature: cosign's "simple signing" document (cosign's signature
 * specification, derived from containers/image's signature format). Signing it binds the key to one manifest
 * digest; `docker-reference` records the name it was signed under and is informational for us.
 */

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';
const MAX_PAYLOAD_BYTES = 1024 * 1024;

export interface SimpleSigningPayload {
  readonly critical: {
    readonly identity: { readonly 'docker-reference': string };
    readonly image: { readonly 'docker-manifest-digest': string };
    readonly type: string;
  };
  readonly optional: Readonly<Record<string, unknown>>;
}

/**
 * Canonical payload bytes for signing image `manifestDigest` (`sha256:<hex>`) under `dockerReference`
 * (repository without tag, e.g. `registry.example/team/python`).
 */
export function simpleSigningPayload(dockerReference: string, manifestDigest: string): Uint8Array {
  sha256HexOf(manifestDigest);
  const payload: SimpleSigningPayload = {
    critical: {
      identity: { 'docker-reference': dockerReference },
      image: { 'docker-manifest-digest': manifestDigest },
      type: SIMPLE_SIGNING_TYPE,
    },
    optional: {},
  };
  return canonicalJsonBytes(payload);
}

/**
 * Parses a simple-signing payload.
 * @throws IroncladError `INVALID_INPUT` when it is not one.
 */
export function parseSimpleSigningPayload(bytes: Uint8Array): SimpleSigningPayload {
  const doc = parseJsonBytes(bytes, 'image signature payload', MAX_PAYLOAD_BYTES);
  const critical = isRecord(doc) ? doc.critical : undefined;
  const identity = isRecord(critical) ? critical.identity : undefined;
  const image = isRecord(critical) ? critical.image : undefined;
  if (
    !isRecord(doc) ||
    !isRecord(critical) ||
    !isRecord(identity) ||
    !isRecord(image) ||
    typeof image['docker-manifest-digest'] !== 'string' ||
    typeof critical.type !== 'string'
  ) {
    return fail('INVALID_INPUT', 'image signature payload: not a cosign simple-signing document');
  }
  const ref = identity['docker-reference'];
  return {
    critical: {
      identity: { 'docker-reference': typeof ref === 'string' ? ref : '' },
      image: { 'docker-manifest-digest': image['docker-manifest-digest'] },
      type: critical.type,
    },
    optional: isRecord(doc.optional) ? doc.optional : {},
  };
}
