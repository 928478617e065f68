import {
  ARBITRARY_UID_LABEL,
  DEFINITION_LABELS,
  type ImageVariant,
  READ_ONLY_ROOT_LABEL,
} from '../definition/index.ts';
import type { Digest, ImageConfig } from '../oci/index.ts';
import { CUSTOMIZATION_GROUP } from './customize-layers.ts';
import type { PackageGroup } from './layers-plan.ts';

/** What the config needs to know about one written layer. */
export interface ConfigLayer {
  readonly diffId: Digest;
  readonly group: PackageGroup;
  /** `name version` of each package in the layer, for history. */
  readonly packages: readonly string[];
  /** When the layer was made, if not at the image's epoch (a customization's base layers keep their base's). */
  readonly epoch?: number;
}

export interface ConfigInput {
  readonly variant: ImageVariant;
  /** OCI platform parts. */
  readonly os: string;
  readonly architecture: string;
  readonly platformVariant?: string;
  /** SOURCE_DATE_EPOCH in seconds: `created` and every history entry. */
  readonly epoch: number;
  readonly user: { readonly uid: number; readonly gid: number };
  readonly layers: readonly ConfigLayer[];
  /** What the filesystem holds, checked on the tree rather than trusted from the definition. */
  readonly hasShell: boolean;
  readonly hasPackageManager: boolean;
  readonly source?: { readonly repository?: string; readonly revision?: string };
  /** The definition built from: its digest, and its path relative to its repository when known. */
  readonly definition?: ImageDefinitionRef;
  /** A customization's base image: its `name:tag` and platform manifest digest (OCI base.name / base.digest). */
  readonly base?: { readonly name: string; readonly digest: string };
}

/** Where an image's definition lives, recorded so `test IMAGE` can find it again. */
export interface ImageDefinitionRef {
  readonly path?: string;
  readonly digest: string;
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Labels an image carries (OCI annotations spec "pre-defined annotation keys", plus ours under dev.ironclad). */
export function imageLabels(input: ConfigInput): Record<string, string> {
  const v = input.variant;
  const created = new Date(input.epoch * 1000).toISOString();
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': v.name,
    'org.opencontainers.image.created': created,
    'org.opencontainers.image.version': v.tags[0] ?? 'latest',
    // Built from packages, not on top of another image, unless a customization.
    'org.opencontainers.image.base.name': input.base?.name ?? 'scratch',
    ...(input.base !== undefined && { 'org.opencontainers.image.base.digest': input.base.digest }),
    'dev.ironclad.variant': v.variant,
    'dev.ironclad.kind': v.kind,
    'dev.ironclad.distro': v.distro,
    'dev.ironclad.shell': String(input.hasShell),
    'dev.ironclad.package-manager': String(input.hasPackageManager),
  };
  // Only when set, so images that do not opt in keep the config (and digest) they had.
  if (v.readOnlyRoot) labels[READ_ONLY_ROOT_LABEL] = 'true';
  if (v.arbitraryUid) labels[ARBITRARY_UID_LABEL] = 'true';
  if (v.description !== undefined) labels['org.opencontainers.image.description'] = v.description;
  if (input.source?.repository) labels['org.opencontainers.image.source'] = input.source.repository;
  if (input.source?.revision) labels['org.opencontainers.image.revision'] = input.source.revision;
  if (input.definition !== undefined) {
    labels[DEFINITION_LABELS.digest] = input.definition.digest;
    if (input.definition.path !== undefined) labels[DEFINITION_LABELS.path] = input.definition.path;
  }
  return { ...labels, ...v.labels };
}

/** Prefix of the OCI annotations spec's pre-defined keys (annotations.md). */
const OCI_KEY_PREFIX = 'org.opencontainers.image.';

/**
 * Annotations of each platform manifest and of the index: the image's `org.opencontainers.image.*` labels
 * (title, created, version, source, revision, licenses, vendor, url, documentation, ...), so tools that read only
 * the index (registries' UIs, `skopeo inspect --raw`) see the same facts, then the definition's annotations.
 */
export function imageAnnotations(
  labels: Readonly<Record<string, string>>,
  variant: ImageVariant,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (k.startsWith(OCI_KEY_PREFIX)) out[k] = v;
  return { ...out, ...variant.annotations };
}

/** The config's set-valued fields (ExposedPorts, Volumes) are objects with empty values (config.md). */
function emptySet(keys: readonly string[]): Record<string, object> {
  return Object.fromEntries([...keys].sort().map((k) => [k, {}]));
}

/**
 * The OCI image config of one platform (image-spec config.md). Pure: the same inputs give the same bytes once
 * serialised by buildImageConfig. `User` is always numeric so Kubernetes' runAsNonRoot can verify it.
 */
export function imageConfigFor(input: ConfigInput): ImageConfig {
  const v = input.variant;
  const created = new Date(input.epoch * 1000).toISOString();
  const env = Object.entries(v.environment).map(([k, val]) => `${k}=${val}`);
  const hasPath = env.some((e) => e.startsWith('PATH='));
  return {
    created,
    architecture: input.architecture,
    os: input.os,
    ...(input.platformVariant !== undefined && { variant: input.platformVariant }),
    config: {
      User: `${input.user.uid}:${input.user.gid}`,
      Env: hasPath ? env : [DEFAULT_PATH, ...env],
      // An empty entrypoint (a variant removing its base's) is left out, as if none was ever set.
      ...(v.entrypoint !== undefined && v.entrypoint.length > 0 && { Entrypoint: v.entrypoint }),
      ...(v.cmd !== undefined && { Cmd: v.cmd }),
      WorkingDir: v.workdir ?? '/',
      ...(v.ports.length > 0 && { ExposedPorts: emptySet(v.ports) }),
      ...(v.volumes.length > 0 && { Volumes: emptySet(v.volumes) }),
      ...(v.stopSignal !== undefined && { StopSignal: v.stopSignal }),
      Labels: imageLabels(input),
    },
    rootfs: { type: 'layers', diff_ids: input.layers.map((l) => l.diffId) },
    history: input.layers.map((l) => ({
      created: l.epoch === undefined ? created : new Date(l.epoch * 1000).toISOString(),
      created_by:
        l.group.name === 'ironclad-sbom'
          ? 'ironclad: embedded SPDX SBOM'
          : l.group.name === 'ironclad-configure'
            ? 'ironclad: dpkg --configure -a (maintainer scripts and triggers, no network)'
            : l.group.name === CUSTOMIZATION_GROUP
              ? 'ironclad: customization (its paths, certificates, accounts and the generated files listing them)'
              : l.group.kind === 'synthesized'
                ? 'ironclad: generated files (accounts, os-release, CA bundle, nsswitch, merged-/usr links)'
                : `ironclad: source package ${l.group.name}: ${l.packages.join(', ')}`,
      comment: l.group.name,
    })),
  };
}
