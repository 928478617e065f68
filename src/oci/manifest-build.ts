import { digestOf } from './digest.ts';
import type { ImageIndex, ImageManifest } from './manifest.ts';
import { MediaType } from './media-types.ts';
import type { Descriptor, ImageConfig, Platform } from './types.ts';

/**
 * Builders for the JSON documents we write. Output is canonical: no whitespace, keys in a fixed order (the
 * order the OCI spec examples use), annotation keys sorted, optional fields omitted when absent. The same
 * value therefore always gives the same bytes and the same digest (DESIGN.md, Determinism).
 */

/** A document's canonical bytes with the descriptor that addresses them. */
export interface BuiltBlob {
  readonly bytes: Uint8Array;
  readonly descriptor: Descriptor;
}

/** The OCI 1.1 empty blob `{}` (manifest.md, "Guidance for an Empty Descriptor"). */
export const EMPTY_JSON_BYTES: Uint8Array = new TextEncoder().encode('{}');
export const EMPTY_DESCRIPTOR: Descriptor = {
  mediaType: MediaType.OCI_EMPTY,
  digest: digestOf(EMPTY_JSON_BYTES),
  size: 2,
  data: 'e30=',
};

function sortedRecord(r: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (r === undefined) return undefined;
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function platformJson(p: Platform): object {
  return {
    architecture: p.architecture,
    os: p.os,
    'os.version': p['os.version'],
    'os.features': p['os.features'],
    variant: p.variant,
  };
}

/** A descriptor in canonical key order. */
export function descriptorJson(d: Descriptor): object {
  return {
    mediaType: d.mediaType,
    artifactType: d.artifactType,
    digest: d.digest,
    size: d.size,
    urls: d.urls,
    annotations: sortedRecord(d.annotations),
    data: d.data,
    platform: d.platform === undefined ? undefined : platformJson(d.platform),
  };
}

/** JSON.stringify drops `undefined` members, which is how optional fields disappear. */
function encode(value: object): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function built(bytes: Uint8Array, mediaType: string, artifactType?: string): BuiltBlob {
  return {
    bytes,
    descriptor: {
      mediaType,
      ...(artifactType !== undefined && { artifactType }),
      digest: digestOf(bytes),
      size: bytes.length,
    },
  };
}

/** Inputs of an OCI image manifest; `mediaType` and `schemaVersion` are implied. */
export interface ManifestInput {
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Canonical OCI image manifest bytes; the returned descriptor carries `artifactType` when set. */
export function buildManifest(m: ManifestInput): BuiltBlob {
  const doc = {
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    artifactType: m.artifactType,
    config: descriptorJson(m.config),
    layers: m.layers.map(descriptorJson),
    subject: m.subject === undefined ? undefined : descriptorJson(m.subject),
    annotations: sortedRecord(m.annotations),
  } satisfies Record<keyof ImageManifest, unknown>;
  return built(encode(doc), MediaType.OCI_MANIFEST, m.artifactType);
}

/**
 * An OCI 1.1 artifact manifest for the referrers API: `artifactType` set, config the empty descriptor unless
 * given, `subject` pointing at the image it describes (manifest.md, "Guidelines for Artifact Usage").
 */
export function buildArtifactManifest(a: {
  readonly artifactType: string;
  readonly subject: Descriptor;
  readonly blobs: readonly Descriptor[];
  readonly config?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}): BuiltBlob {
  return buildManifest({
    artifactType: a.artifactType,
    config: a.config ?? EMPTY_DESCRIPTOR,
    layers: a.blobs.length > 0 ? a.blobs : [EMPTY_DESCRIPTOR],
    subject: a.subject,
    ...(a.annotations !== undefined && { annotations: a.annotations }),
  });
}

/** Canonical OCI image index bytes. Entry order is kept as given: it is meaningful (platform preference). */
export function buildIndex(i: {
  readonly manifests: readonly Descriptor[];
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}): BuiltBlob {
  const doc = {
    schemaVersion: 2,
    mediaType: MediaType.OCI_INDEX,
    artifactType: i.artifactType,
    manifests: i.manifests.map(descriptorJson),
    subject: i.subject === undefined ? undefined : descriptorJson(i.subject),
    annotations: sortedRecord(i.annotations),
  } satisfies Record<keyof ImageIndex, unknown>;
  return built(encode(doc), MediaType.OCI_INDEX, i.artifactType);
}

/**
 * Canonical image config bytes: the spec's top-level order, then any other fields sorted; nested objects
 * (Labels, Env order aside) with sorted keys. Arrays keep their order, which is meaningful (Env, history).
 */
export function buildImageConfig(config: ImageConfig): BuiltBlob {
  const top = ['created', 'author', 'architecture', 'os', 'os.version', 'os.features', 'variant', 'config'];
  const tail = ['rootfs', 'history'];
  const rec = config as unknown as Record<string, unknown>;
  const middle = Object.keys(rec)
    .filter((k) => !top.includes(k) && !tail.includes(k))
    .sort();
  const doc: Record<string, unknown> = {};
  for (const k of [...top, ...middle, ...tail]) {
    if (rec[k] !== undefined) doc[k] = sortKeysDeep(rec[k]);
  }
  return built(encode(doc), MediaType.OCI_CONFIG);
}

function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeysDeep((v as Record<string, unknown>)[k]);
  return out;
}
