import { Readable } from 'node:stream';
import type { StageContext } from '../core/index.ts';
import { fail, IroncladError, isIroncladError, PACKAGE_MANAGERS, SHELLS } from '../core/index.ts';
import { type DebContents, type Distro, fetchDebs, type PackageFileRef } from '../debian/index.ts';
import type { ImageVariant, LockedPackage, LockedPlatform } from '../definition/index.ts';
import {
  buildImageConfig,
  buildManifest,
  type Descriptor,
  type Digest,
  digestOf,
  type ImageConfig,
  type ImageEndpoint,
  MediaType,
  type Platform,
  parsePlatform,
} from '../oci/index.ts';
import type { SbomPackage } from '../sbom/index.ts';
import { declaredGroups, runAsIds } from './account-ids.ts';
import { applyPaths, checkPathsKept } from './apply-paths.ts';
import { assemble } from './assemble.ts';
import { configureTree } from './configure/configure.ts';
import { customizationPlans } from './customize-layers.ts';
import {
  cachedDebContents,
  DamagedCachedBytes,
  type DebContentsCache,
  debContentsCache,
  readDebCached,
} from './deb-cache.ts';
import { embeddedSbomBytes, sbomLayerEntries, treeSbomPackages } from './embedded-sbom.ts';
import { defaultEpoch } from './epoch.ts';
import type { FileTree } from './file-tree.ts';
import { type ImageDefinitionRef, imageAnnotations, imageConfigFor } from './image-config.ts';
import { type BuildCompression, layerCache, type StoredLayer, storeLayer } from './layer-cache.ts';
import { DEFAULT_MAX_LAYERS, groupPackages, type LayerPlan, type PackageGroup, treeToLayers } from './layers-plan.ts';
import { imagePathsFor, type PathSource } from './path-sources.ts';
import { storeSbomReferrers } from './sbom-referrers.ts';
import type { SharedLayers } from './shared-layers.ts';
import type { DistroRelease } from './synthesize/os-release.ts';
import { synthesize } from './synthesize.ts';

export interface PlatformBuildInput {
  readonly variant: ImageVariant;
  readonly locked: LockedPlatform;
  readonly distro: Distro;
  /** SOURCE_DATE_EPOCH override; default: the newest package date. */
  readonly epoch?: number;
  readonly source?: { readonly repository?: string; readonly revision?: string };
  /** Recorded in labels; must be what the provenance records, or a rebuild differs. */
  readonly definition?: ImageDefinitionRef;
  /** Parallel .deb downloads. */
  readonly concurrency?: number;
  /**
   * Use the derived caches (parsed .debs, compressed layers); default true. False derives everything from the
   * verified .debs: `--no-cache`, and `rebuild --verify`, whose verdict must not rest on any cache.
   */
  readonly useCache?: boolean;
  /** The `paths` source files, read and verified (readPathSources). */
  readonly pathSources?: ReadonlyMap<string, PathSource>;
  /**
   * The runtime variant's packages on this platform: a dev variant groups those packages into layers exactly
   * as the runtime does, so both images share those layers (same digests), and its other packages apart.
   */
  readonly sharedWith?: readonly LockedPackage[];
  /** This machine's platform: dev variants are configured in a container, natively or through qemu. */
  readonly host: Platform;
  /** Layer compression; default the variant's (the definition's `compression`). */
  readonly compression?: BuildCompression;
  /** A repository whose shared layers are reused and which receives the layers compressed here (`--cache-from`). */
  readonly sharedLayers?: SharedLayers;
  /**
   * For a customization (docs/customization.md): its base image on this platform, built first as the base's own
   * build makes it; the customization's layers go on top of the base's, which are kept as they are.
   */
  readonly base?: BasePlatformInput;
}

/** The base image of a customization on one platform: what its own build would be given. */
export interface BasePlatformInput {
  readonly variant: ImageVariant;
  readonly locked: LockedPlatform;
  readonly sharedWith?: readonly LockedPackage[];
  readonly definition: ImageDefinitionRef;
  readonly pathSources: ReadonlyMap<string, PathSource>;
  /** SOURCE_DATE_EPOCH of the base (rebuilds pass the recorded one); default its newest package date. */
  readonly epoch?: number;
  /** The base image's `name:tag` (its first tag), for the `org.opencontainers.image.base.name` label. */
  readonly reference: string;
  /** When the base is itself a customization: its own base. */
  readonly base?: BasePlatformInput;
  /** The base definition's path as provenance records it (repository-relative when known). */
  readonly definitionFile: string;
  /** A published base (`extends: {image, key}`): its platform manifest, which the base build must come out as. */
  readonly expected?: Digest;
  /** A published base's layer compression and source labels, as its provenance records them. */
  readonly compression?: BuildCompression;
  readonly source?: PlatformBuildInput['source'];
}

/** What a customization's image was built on, as provenance records it. */
export interface BaseImageRecord {
  readonly reference: string;
  readonly variant: string;
  /** The base image's platform manifest: the one its own build gives. */
  readonly manifest: Descriptor;
  readonly definition: ImageDefinitionRef;
  /** The base definition's path as provenance records it. */
  readonly definitionFile: string;
  readonly epoch: number;
  /** Names of the base's packages (the rest of the lock is what the customization added). */
  readonly packages: readonly string[];
  /** When the base is itself a customization: what it was built on. */
  readonly base?: BaseImageRecord;
}

/** One platform image written into a layout (blobs only; tagging is the caller's). */
export interface PlatformBuild {
  readonly platform: string;
  /** The lock entry the image was built from (every .deb and suite, for provenance). */
  readonly locked: LockedPlatform;
  /** The manifest descriptor, with `platform` set, as it goes into the index. */
  readonly manifest: Descriptor;
  readonly manifestBytes: Uint8Array;
  readonly config: ImageConfig;
  readonly layers: readonly { readonly group: PackageGroup; readonly layer: StoredLayer }[];
  readonly tree: FileTree;
  /** The packages as the embedded SBOM lists them (for the SBOMs kept beside the image). */
  readonly sbomPackages: readonly SbomPackage[];
  readonly epoch: number;
  /** The layers' compression (what provenance records, so a rebuild compresses alike). */
  readonly compression: BuildCompression;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Set for a customization: the base image its first layers are. */
  readonly base?: BaseImageRecord;
}

/** Paths whose presence makes an image have a shell or an OS package manager (checked on the tree). */
/** The embedded SBOM's own last layer, so a package change does not touch the generated-files layer. */
const SBOM_GROUP: PackageGroup = { name: 'ironclad-sbom', kind: 'synthesized', packages: [], size: 0 };
/** What configuring a dev variant's packages changed, above the package and generated layers. */
const CONFIGURE_GROUP: PackageGroup = { name: 'ironclad-configure', kind: 'synthesized', packages: [], size: 0 };

/**
 * Builds one platform of one variant: fetch the locked .debs (verified), read them, assemble the tree,
 * synthesize what maintainer scripts would have written, cut it into one layer per source package, and store
 * layers, config and manifest through `out`, and the SBOM referrers beside the manifest. Layers are compressed in parallel (zlib and zstd run on the libuv pool).
 */
export async function buildPlatform(
  input: PlatformBuildInput,
  out: ImageEndpoint,
  ctx: StageContext,
): Promise<PlatformBuild> {
  // A cached .deb's file bytes are read when first needed and checked then (deb-cache.ts); damaged ones remove
  // their entries, and the build starts over, reading that .deb again. Each round removes one entry, so this ends.
  for (let round = 0; ; round++) {
    try {
      return await buildPlatformOnce(input, out, ctx);
    } catch (err) {
      if (!(err instanceof DamagedCachedBytes) || round > input.locked.packages.length) throw err;
      await err.discarded;
      ctx.log.warn(`${err.message}; building ${input.locked.platform} again`);
    }
  }
}

async function buildPlatformOnce(
  input: PlatformBuildInput,
  out: ImageEndpoint,
  ctx: StageContext,
): Promise<PlatformBuild> {
  const store = out.requireWriter();
  const { variant, locked } = input;
  const baseBuild = input.base === undefined ? undefined : await buildBase(input, input.base, out, ctx);
  const caches = { home: ctx.home, log: ctx.log, enabled: input.useCache !== false };
  const debs = await readLockedDebs(locked, input.concurrency ?? 8, debContentsCache(caches), ctx);
  const epoch = input.epoch ?? defaultEpoch(debs);
  // Dev variants too: the no-setuid rule holds for every hardened variant, and dev images run as root anyway.
  const hardened = variant.kind === 'hardened';
  ctx.log.progress(`${variant.name} ${variant.variant} ${locked.platform}: assembling`);
  const assembled = assemble(
    locked.packages.map((pkg, i) => ({ pkg, deb: debs[i]! })),
    { stripSetuid: hardened, strip: variant.kind === 'hardened', epoch },
  );
  const declared = imagePathsFor(variant, locked.platform, input.pathSources ?? new Map());
  const withPaths = applyPaths(assembled, declared, epoch);
  // Variants with a package manager get a truthful dpkg database: their packages are configured (configure.ts).
  const configure = variant.configure;
  const unpacked = synthesize(withPaths, {
    image: variant.name,
    distro: distroRelease(input.distro),
    accounts: variant.accounts.users.map((a) => ({
      name: a.name,
      uid: a.uid,
      gid: a.gid,
      home: a.home,
      ...(a.shell !== undefined && { shell: a.shell }),
    })),
    groups: declaredGroups(variant),
    // A customization keeps its base's dpkg database layout, whatever it declares: the base's layers hold it.
    kind: synthesizedKind(input.base?.variant ?? variant),
    epoch,
    architecture: locked.architecture,
    repositories: input.distro.repositories,
    configure,
  });
  checkPathsKept(withPaths, unpacked, declared);
  const platform =
    parsePlatform(locked.platform) ?? fail('INVALID_INPUT', `lock platform ${locked.platform} is malformed`);
  let tree = unpacked;
  const configurePlans: LayerPlan[] = [];
  if (configure) {
    ctx.log.progress(`${variant.name} ${variant.variant} ${locked.platform}: configuring packages`);
    const configured = await configureTree(unpacked, { epoch, platform, host: input.host }, ctx);
    tree = configured.tree;
    configurePlans.push({ group: CONFIGURE_GROUP, entries: configured.entries });
  }
  const sbomDistro = {
    id: input.distro.osRelease.ID ?? 'debian',
    versionId: input.distro.versionId,
    codename: input.distro.codename,
  };
  const sbomPackages = treeSbomPackages(tree, locked, sbomDistro);
  const sbom = embeddedSbomBytes(sbomPackages, {
    imageName: variant.name,
    platform: locked.platform,
    distro: sbomDistro,
    epoch,
    packagesDigest: digestOf(JSON.stringify(locked.packages)),
  });
  const hasShell = SHELLS.some((p) => tree.nodes.has(`usr/bin/${p}`));
  const hasPackageManager = PACKAGE_MANAGERS.some((p) => tree.nodes.has(`usr/bin/${p}`));
  if (baseBuild !== undefined) checkDeclared(variant, { hasShell, hasPackageManager });
  const ownPlans =
    baseBuild === undefined
      ? [
          ...treeToLayers(unpacked, groupPackages(locked.packages, DEFAULT_MAX_LAYERS, input.sharedWith), epoch),
          ...configurePlans,
        ]
      : customizationPlans(tree, baseBuild.tree, addedPackages(locked, baseBuild.locked), epoch);
  const plans = [...ownPlans, { group: SBOM_GROUP, entries: sbomLayerEntries(tree, sbom, epoch) }];
  ctx.log.progress(`${variant.name} ${variant.variant} ${locked.platform}: writing ${plans.length} layers`);
  const compression = input.compression ?? variant.compression;
  const layers = layerCache(caches, compression);
  // Like the local caches, shared layers are off when the build must rest on the verified .debs alone.
  const shared = input.useCache === false ? undefined : input.sharedLayers;
  const own = await Promise.all(plans.map((p) => storeLayer(p.entries, out, layers, shared)));
  const written = [...(baseBuild?.layers.map((l) => l.layer) ?? []), ...own];
  const allPlans = [...(baseBuild?.layers ?? []), ...plans];

  const versions = new Map(locked.packages.map((p) => [p.name, `${p.name} ${p.version}`]));
  const config = imageConfigFor({
    variant,
    os: platform.os,
    architecture: platform.architecture,
    ...(platform.variant !== undefined && { platformVariant: platform.variant }),
    epoch,
    user: runAsIds(variant),
    layers: written.map((w, i) => ({
      diffId: w.diffId,
      group: allPlans[i]!.group,
      packages: allPlans[i]!.group.packages.map((n) => versions.get(n) ?? n),
      ...(baseBuild !== undefined && i < baseBuild.layers.length && { epoch: baseBuild.epoch }),
    })),
    hasShell,
    hasPackageManager,
    ...(baseBuild !== undefined && { base: { name: input.base!.reference, digest: baseBuild.manifest.digest } }),
    ...(input.source !== undefined && { source: input.source }),
    ...(input.definition !== undefined && { definition: input.definition }),
  });
  const configBlob = buildImageConfig(config);
  await store.putBlob(configBlob.descriptor, async () => Readable.from([configBlob.bytes]));
  const manifestBlob = buildManifest({
    config: configBlob.descriptor,
    layers: written.map((w) => w.descriptor),
    annotations: imageAnnotations(config.config?.Labels ?? {}, variant),
  });
  await store.putManifest(manifestBlob.descriptor, manifestBlob.bytes, { root: false });
  await storeSbomReferrers(out.referrers, manifestBlob.descriptor, sbomPackages, {
    imageName: variant.name,
    platform: locked.platform,
    distro: sbomDistro,
    epoch,
  });
  return {
    platform: locked.platform,
    locked,
    manifest: { ...manifestBlob.descriptor, mediaType: MediaType.OCI_MANIFEST, platform },
    manifestBytes: manifestBlob.bytes,
    config,
    layers: written.map((layer, i) => ({ group: allPlans[i]!.group, layer })),
    tree,
    sbomPackages,
    epoch,
    compression,
    compressedSize: written.reduce((n, w) => n + w.descriptor.size, 0),
    uncompressedSize: written.reduce((n, w) => n + w.uncompressedSize, 0),
    ...(baseBuild !== undefined && { base: baseRecord(input.base!, baseBuild) }),
  };
}

/** The base image of a customization on this platform, built (or found: layers are cached) as its own build would. */
async function buildBase(
  input: PlatformBuildInput,
  base: BasePlatformInput,
  out: ImageEndpoint,
  ctx: StageContext,
): Promise<PlatformBuild> {
  const { base: _self, sharedWith: _shared, epoch: _epoch, ...common } = input;
  const built = await buildPlatform(
    {
      ...common,
      variant: base.variant,
      locked: base.locked,
      definition: base.definition,
      pathSources: base.pathSources,
      ...(base.sharedWith !== undefined && { sharedWith: base.sharedWith }),
      ...(base.epoch !== undefined && { epoch: base.epoch }),
      ...(base.base !== undefined && { base: base.base }),
      ...(base.compression !== undefined && { compression: base.compression }),
      ...(base.source !== undefined && { source: base.source }),
    },
    out,
    ctx,
  ).catch((err: unknown) => {
    throw base.expected !== undefined && isIroncladError(err, 'NOT_SERVED') ? publishedBaseGone(base, err) : err;
  });
  // A published base is made again from its verified provenance; only the very image pinned may be built on.
  if (base.expected !== undefined && built.manifest.digest !== base.expected) {
    fail(
      'DIGEST_MISMATCH',
      `the base ${base.reference} (${built.platform}) does not rebuild to its published manifest`,
      {
        hint: `published ${base.expected}, rebuilt ${built.manifest.digest}: its provenance does not describe it, or another Ironclad version built it (run ironclad rebuild --verify on it)`,
      },
    );
  }
  return built;
}

/**
 * A published base is made again from the .debs its provenance pins, from the archive or the .deb cache; Debian's
 * archive drops superseded versions (a -security suite keeps only the newest), so an old pin can outlive its .debs.
 */
function publishedBaseGone(base: BasePlatformInput, err: IroncladError): IroncladError {
  return new IroncladError(
    'NOT_SERVED',
    `the base ${base.reference} (${base.locked.platform}) cannot be made again from its provenance: ${err.message}`,
    {
      cause: err,
      hint:
        'the archive no longer serves that version (it keeps only the newest of a security suite). Pin extends.image ' +
        "to the base's current digest (its publisher's ironclad update rebuilt it with the newer package; " +
        `ironclad verify docker://${base.reference} --key FILE --format json shows it), or build where the .deb ` +
        'cache of IRONCLAD_HOME still holds that .deb',
    },
  );
}

function baseRecord(base: BasePlatformInput, built: PlatformBuild): BaseImageRecord {
  return {
    reference: base.reference,
    variant: base.variant.variant,
    manifest: built.manifest,
    definition: base.definition,
    definitionFile: base.definitionFile,
    epoch: built.epoch,
    packages: built.locked.packages.map((p) => p.name),
    ...(built.base !== undefined && { base: built.base }),
  };
}

function synthesizedKind(v: ImageVariant): 'dev' | 'runtime' {
  return v.shell || v.packageManager ? 'dev' : 'runtime';
}

/** The packages of the customization's lock that its base does not have. */
function addedPackages(locked: LockedPlatform, base: LockedPlatform): LockedPackage[] {
  const inBase = new Set(base.packages.map((p) => p.name));
  return locked.packages.filter((p) => !inBase.has(p.name));
}

/**
 * A customization that brings a shell or a package manager into its image must say so: a runtime image that
 * quietly gains `/bin/sh` through a dependency is exactly what a customization review should catch.
 */
function checkDeclared(variant: ImageVariant, found: { hasShell: boolean; hasPackageManager: boolean }): void {
  const say = (what: string, key: string) =>
    fail(
      'DEFINITION_INVALID',
      `${variant.name} (${variant.variant}): the packages it adds bring ${what} into the image`,
      {
        hint: `declare it with "${key}: true" in the customization (labels and tests then allow it), or drop the package`,
      },
    );
  if (found.hasShell && !variant.shell) say('a shell', 'shell');
  if (found.hasPackageManager && !variant.packageManager) say('a package manager', 'package-manager');
}

/**
 * The locked packages' contents, in lock order. Those whose parsed contents the deb-contents cache holds are taken
 * from it without touching their .deb (deb-cache.ts); only the others are fetched (or found in the download cache),
 * verified against the lock's sha256 and read.
 */
async function readLockedDebs(
  locked: LockedPlatform,
  concurrency: number,
  cache: DebContentsCache,
  ctx: StageContext,
): Promise<DebContents[]> {
  const baseUrls = new Map(locked.suites.map((s) => [s.suite, s.baseUrl]));
  const refs: PackageFileRef[] = locked.packages.map((p) => ({
    name: p.name,
    version: p.version,
    architecture: p.architecture,
    baseUrl: baseUrls.get(p.suite) ?? fail('INVALID_INPUT', `lock: ${p.name} comes from unknown suite ${p.suite}`),
    filename: p.filename,
    size: p.size,
    sha256: p.sha256,
  }));
  const debs = await Promise.all(refs.map((r) => cachedDebContents(r.sha256, cache)));
  const missing = refs.flatMap((r, i) => (debs[i] === undefined ? [{ ref: r, i }] : []));
  if (missing.length === 0) return debs as DebContents[];
  const paths = await fetchDebs(
    missing.map((m) => m.ref),
    ctx,
    { concurrency },
  );
  ctx.log.progress(`reading ${paths.length} packages`);
  await Promise.all(
    missing.map(async ({ ref, i }, k) => {
      debs[i] = await readDebCached(paths[k]!, ref.sha256, cache);
    }),
  );
  return debs as DebContents[];
}

function distroRelease(d: Distro): DistroRelease {
  const os = d.osRelease;
  return {
    id: os.ID ?? 'debian',
    name: os.NAME ?? 'Debian GNU/Linux',
    versionId: os.VERSION_ID ?? d.versionId,
    versionCodename: os.VERSION_CODENAME ?? d.codename,
    ...(os.HOME_URL !== undefined && { homeUrl: os.HOME_URL }),
    ...(os.SUPPORT_URL !== undefined && { supportUrl: os.SUPPORT_URL }),
    ...(os.BUG_REPORT_URL !== undefined && { bugReportUrl: os.BUG_REPORT_URL }),
  };
}
