import { fail } from '../core/index.ts';
import { isDigest } from './digest.ts';
import { isIndexMediaType, isManifestMediaType, MediaType } from './media-types.ts';
import type { Descriptor, Digest, ImageConfig, Platform } from './types.ts';

/** Largest manifest or index we parse; registries must accept at least 4 MiB (distribution spec, "Pushing Manifests"). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Largest image config we parse; real configs are a few KiB, history-heavy ones a few hundred. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/** OCI image manifest (manifest.md), also covering Docker schema 2 manifests, which share the shape. */
export interface ImageManifest {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config: Descriptor;
  /** Base layer first. */
  readonly layers: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** OCI image index (image-index.md), also covering Docker manifest lists. */
export interface ImageIndex {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly manifests: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A parsed manifest document; `mediaType` is the effective one (declared, hinted, or inferred from shape). */
export type ParsedManifest =
  | { readonly kind: 'manifest'; readonly mediaType: string; readonly manifest: ImageManifest }
  | { readonly kind: 'index'; readonly mediaType: string; readonly index: ImageIndex };

type Obj = Record<string, unknown>;

/** Collects every problem with a document, so one error lists them all (STYLE.md rule 10). */
class Problems {
  readonly list: string[] = [];
  add(path: string, what: string): undefined {
    if (this.list.length < 20) this.list.push(`${path}: ${what}`);
    return undefined;
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string, path: string, p: Problems, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') return p.add(`${path}.${key}`, 'expected a string');
  return v;
}

function stringMap(o: Obj, key: string, path: string, p: Problems): Record<string, string> | undefined {
  const v = o[key];
  // null is what Go's encoding/json writes for an empty map; treat it as absent.
  if (v === undefined || v === null) return undefined;
  if (!isObj(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    return p.add(`${path}.${key}`, 'expected an object of strings');
  }
  return v as Record<string, string>;
}

function stringList(o: Obj, key: string, path: string, p: Problems): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return p.add(`${path}.${key}`, 'expected strings');
  return v as string[];
}

function platform(v: unknown, path: string, p: Problems): Platform | undefined {
  if (!isObj(v)) return p.add(path, 'expected an object');
  const os = str(v, 'os', path, p, true);
  const architecture = str(v, 'architecture', path, p, true);
  const variant = str(v, 'variant', path, p, false);
  const osVersion = str(v, 'os.version', path, p, false);
  const osFeatures = stringList(v, 'os.features', path, p);
  if (os === undefined || architecture === undefined) return undefined;
  return {
    architecture,
    os,
    ...(osVersion !== undefined && { 'os.version': osVersion }),
    ...(osFeatures !== undefined && { 'os.features': osFeatures }),
    ...(variant !== undefined && { variant }),
  };
}

/** Validates a descriptor (descriptor.md); unknown fields are dropped, known ones type-checked. */
function descriptor(v: unknown, path: string, p: Problems): Descriptor | undefined {
  if (!isObj(v)) return p.add(path, 'expected a descriptor object');
  const before = p.list.length;
  const mediaType = str(v, 'mediaType', path, p, true);
  const digest = str(v, 'digest', path, p, true);
  if (digest !== undefined && !isDigest(digest)) p.add(`${path}.digest`, 'expected sha256:<64 hex>');
  const size = v.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    p.add(`${path}.size`, 'expected a non-negative integer');
  }
  const artifactType = str(v, 'artifactType', path, p, false);
  const annotations = stringMap(v, 'annotations', path, p);
  const urls = stringList(v, 'urls', path, p);
  const data = str(v, 'data', path, p, false);
  const plat = v.platform === undefined ? undefined : platform(v.platform, `${path}.platform`, p);
  if (p.list.length > before || mediaType === undefined) return undefined;
  return {
    mediaType,
    ...(artifactType !== undefined && { artifactType }),
    digest: digest as Digest,
    size: size as number,
    ...(urls !== undefined && { urls }),
    ...(annotations !== undefined && { annotations }),
    ...(data !== undefined && { data }),
    ...(plat !== undefined && { platform: plat }),
  };
}

function descriptorList(o: Obj, key: string, path: string, p: Problems): Descriptor[] {
  const v = o[key];
  if (!Array.isArray(v)) {
    p.add(`${path}.${key}`, 'expected an array of descriptors');
    return [];
  }
  return v.flatMap((d, i) => descriptor(d, `${path}.${key}[${i}]`, p) ?? []);
}

function parseJson(bytes: Uint8Array, limit: number, what: string): unknown {
  if (bytes.length > limit) fail('INVALID_INPUT', `${what}: ${bytes.length} bytes exceeds the ${limit}-byte limit`);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    return fail('INVALID_INPUT', `${what}: not valid UTF-8 JSON`, { cause });
  }
}

function report(p: Problems, what: string): void {
  if (p.list.length > 0) fail('INVALID_INPUT', `${what} is malformed: ${p.list.join('; ')}`);
}

/**
 * Parses an image manifest or index. The kind comes from the document's own `mediaType`, else from
 * `mediaTypeHint` (e.g. a registry's Content-Type), else from its shape (`manifests` vs `layers`).
 * @throws IroncladError INVALID_INPUT for oversized, non-JSON or malformed documents, listing every bad field.
 */
export function parseManifest(bytes: Uint8Array, mediaTypeHint?: string, what = 'manifest'): ParsedManifest {
  const doc = parseJson(bytes, MAX_MANIFEST_BYTES, what);
  const p = new Problems();
  if (!isObj(doc)) fail('INVALID_INPUT', `${what}: expected a JSON object`);
  if (doc.schemaVersion !== 2) p.add('$.schemaVersion', 'expected 2');
  const declared = str(doc, 'mediaType', '$', p, false);
  const mediaType =
    declared ??
    (mediaTypeHint !== undefined && (isIndexMediaType(mediaTypeHint) || isManifestMediaType(mediaTypeHint))
      ? mediaTypeHint
      : Array.isArray(doc.manifests)
        ? MediaType.OCI_INDEX
        : MediaType.OCI_MANIFEST);
  const artifactType = str(doc, 'artifactType', '$', p, false);
  const annotations = stringMap(doc, 'annotations', '$', p);
  const subject = doc.subject === undefined ? undefined : descriptor(doc.subject, '$.subject', p);
  const common = {
    schemaVersion: 2 as const,
    ...(declared !== undefined && { mediaType: declared }),
    ...(artifactType !== undefined && { artifactType }),
    ...(subject !== undefined && { subject }),
    ...(annotations !== undefined && { annotations }),
  };
  if (isIndexMediaType(mediaType)) {
    const manifests = descriptorList(doc, 'manifests', '$', p);
    report(p, what);
    return { kind: 'index', mediaType, index: { ...common, manifests } };
  }
  if (!isManifestMediaType(mediaType)) p.add('$.mediaType', `unsupported media type ${JSON.stringify(mediaType)}`);
  const config = descriptor(doc.config, '$.config', p);
  const layers = descriptorList(doc, 'layers', '$', p);
  report(p, what);
  return { kind: 'manifest', mediaType, manifest: { ...common, config: config!, layers } };
}

/**
 * Parses an image config (config.md). Required fields are checked; the whole document is returned so that
 * fields we do not model survive a read-modify-write.
 * @throws IroncladError INVALID_INPUT for oversized, non-JSON or malformed configs.
 */
export function parseImageConfig(bytes: Uint8Array, what = 'image config'): ImageConfig {
  const doc = parseJson(bytes, MAX_CONFIG_BYTES, what);
  const p = new Problems();
  if (!isObj(doc)) fail('INVALID_INPUT', `${what}: expected a JSON object`);
  str(doc, 'architecture', '$', p, true);
  str(doc, 'os', '$', p, true);
  str(doc, 'variant', '$', p, false);
  str(doc, 'created', '$', p, false);
  const rootfs = doc.rootfs;
  if (!isObj(rootfs)) p.add('$.rootfs', 'expected an object');
  else {
    if (rootfs.type !== 'layers') p.add('$.rootfs.type', 'expected "layers"');
    const ids = rootfs.diff_ids;
    if (!Array.isArray(ids) || !ids.every(isDigest)) p.add('$.rootfs.diff_ids', 'expected a list of sha256 digests');
  }
  if (doc.config !== undefined && doc.config !== null) {
    if (!isObj(doc.config)) p.add('$.config', 'expected an object');
    else {
      str(doc.config, 'User', '$.config', p, false);
      stringList(doc.config, 'Env', '$.config', p);
      stringMap(doc.config, 'Labels', '$.config', p);
    }
  }
  if (doc.history !== undefined && !Array.isArray(doc.history)) p.add('$.history', 'expected an array');
  report(p, what);
  if (doc.config === null) {
    // Docker writes `"config": null` for scratch-like images; the spec's optional field means "absent".
    const { config: _drop, ...rest } = doc;
    return rest as unknown as ImageConfig;
  }
  return doc as unknown as ImageConfig;
}
