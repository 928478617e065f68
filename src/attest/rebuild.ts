import type { KeyObject } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fail, IroncladError, type StageContext } from '../core/index.ts';
import { type Distro, type LoadDistroOptions, loadDistro } from '../debian/index.ts';
import {
  expandVariants,
  type LoadedDefinition,
  type LoadOptions,
  type LockedPlatform,
  loadDefinition,
  readLockfile,
  selectVariants,
} from '../definition/index.ts';
import { type BasePlatformInput, buildPlatform, definitionPathSources, type PlatformBuild } from '../image/index.ts';
import {
  type Descriptor,
  type Digest,
  formatPlatform,
  hostPlatform,
  layoutEndpoint,
  MAX_MANIFEST_BYTES,
  parseManifest,
  type Referrers,
} from '../oci/index.ts';
import { TOOL_VERSION } from '../sbom/index.ts';
import { collectEvidence } from './evidence.ts';
import { unverifiedStatement, verifyAttestationEvidence } from './evidence-verify.ts';
import { type ProvenanceBase, parseProvenance, type ReadProvenance, SLSA_PROVENANCE_V1 } from './predicates/index.ts';
import { lockedPlatformFromProvenance } from './rebuild-lock.ts';
import type { Statement } from './statement.ts';
import type { ImageTarget } from './verify-image.ts';

export interface RebuildOptions {
  /** The directory the provenance's definition path is relative to (the source repository root). */
  readonly repoRoot: string;
  /** When given, the provenance attestation must verify with this key; otherwise it is read unverified. */
  readonly publicKey?: KeyObject;
  readonly distro?: LoadDistroOptions;
  /** A distro config given directly; wins over `distro`. */
  readonly distroConfig?: Distro;
  /** How the definition is loaded: a customization of a published image needs `imageBase` to verify its base. */
  readonly load?: LoadOptions;
}

/** The outcome for one platform manifest. `differences` is empty exactly when `identical`. */
export interface PlatformRebuild {
  readonly platform: string;
  readonly expected: Digest;
  readonly rebuilt?: Digest;
  readonly identical: boolean;
  readonly provenanceVerified: boolean;
  readonly definition: { readonly path: string; readonly matches: boolean };
  readonly differences: readonly string[];
}

export interface RebuildReport {
  readonly ok: boolean;
  readonly platforms: readonly PlatformRebuild[];
}

/**
 * `rebuild --verify`: for each platform manifest, reads its SLSA provenance, checks the definition at the recorded
 * (repository-relative) path has the recorded digest, rebuilds the image from the recorded packages, suites and
 * SOURCE_DATE_EPOCH into a temporary layout, and compares manifest digests, naming the config or layers that
 * differ. The .debs are fetched by digest through the verified cache, so a changed .deb is refused
 * (DIGEST_MISMATCH), never built; no derived cache (parsed .debs, compressed layers) is read.
 * @throws IroncladError `VERIFICATION_FAILED` when a platform has no (valid) provenance; `INVALID_INPUT` for
 *   provenance that cannot drive a rebuild; fetch and build errors as they come.
 */
export async function rebuildImage(
  sink: Referrers,
  target: ImageTarget,
  opts: RebuildOptions,
  ctx: StageContext,
): Promise<RebuildReport> {
  const platforms: PlatformRebuild[] = [];
  for (const manifest of target.platforms) platforms.push(await rebuildPlatform(sink, manifest, opts, ctx));
  return { ok: platforms.every((p) => p.identical), platforms };
}

async function rebuildPlatform(
  sink: Referrers,
  manifest: Descriptor,
  opts: RebuildOptions,
  ctx: StageContext,
): Promise<PlatformRebuild> {
  const statement = await provenanceStatement(sink, manifest, opts.publicKey);
  const prov = parseProvenance(statement.predicate);
  const label = manifest.platform === undefined ? prov.platform : formatPlatform(manifest.platform);
  if (prov.ironcladVersion !== TOOL_VERSION) {
    ctx.log.warn(`${label}: built by Ironclad ${prov.ironcladVersion}, rebuilding with ${TOOL_VERSION}`);
  }
  const loaded = await loadDefinition(definitionPath(opts.repoRoot, prov.definition.path), opts.load);
  const base = {
    platform: label,
    expected: manifest.digest,
    provenanceVerified: opts.publicKey !== undefined,
  };
  if (hexOf(loaded.digest) !== prov.definition.sha256) {
    return {
      ...base,
      identical: false,
      definition: { path: prov.definition.path, matches: false },
      differences: [
        `definition ${prov.definition.path}: digest ${loaded.digest}, provenance says sha256:${prov.definition.sha256}`,
      ],
    };
  }
  const rebuilt = await buildInTemp(loaded, prov, opts, ctx);
  const differences =
    rebuilt.build.manifest.digest === manifest.digest ? [] : await diff(sink, manifest, rebuilt.build);
  return {
    ...base,
    rebuilt: rebuilt.build.manifest.digest,
    identical: differences.length === 0,
    definition: { path: prov.definition.path, matches: true },
    differences,
  };
}

/** The provenance statement about `manifest`: verified with `publicKey` when given. */
export async function provenanceStatement(
  sink: Referrers,
  manifest: Descriptor,
  publicKey: KeyObject | undefined,
): Promise<Statement<unknown>> {
  const expected = { subjectDigest: manifest.digest, predicateType: SLSA_PROVENANCE_V1 };
  let failure: unknown;
  for (const e of await collectEvidence(sink, manifest.digest)) {
    if (e.kind !== 'attestation' && e.kind !== 'cosign-attestation') continue;
    if (e.predicateType !== undefined && e.predicateType !== SLSA_PROVENANCE_V1) continue;
    try {
      if (publicKey !== undefined) return verifyAttestationEvidence(e, publicKey, expected).statement;
      const statement = unverifiedStatement(e);
      const hex = manifest.digest.slice('sha256:'.length);
      if (statement.predicateType === SLSA_PROVENANCE_V1 && statement.subject.some((s) => s.digest.sha256 === hex)) {
        return statement;
      }
    } catch (err) {
      if (!(err instanceof IroncladError)) throw err;
      failure = err;
    }
  }
  return fail('VERIFICATION_FAILED', `${manifest.digest}: no ${publicKey ? 'valid ' : ''}provenance attestation`, {
    ...(failure !== undefined && { cause: failure }),
    hint: 'build with --key to attach provenance, or check the key',
  });
}

/** The recorded path, which must stay inside the repository (it is outside data). */
function definitionPath(repoRoot: string, recorded: string): string {
  if (isAbsolute(recorded) || recorded.split(/[\\/]/).includes('..')) {
    fail('INVALID_INPUT', `provenance: definition path ${JSON.stringify(recorded)} is not inside the repository`);
  }
  return resolve(repoRoot, recorded);
}

async function buildInTemp(
  loaded: LoadedDefinition,
  prov: ReadProvenance,
  opts: RebuildOptions,
  ctx: StageContext,
): Promise<{ build: PlatformBuild }> {
  const variant = selectVariants(loaded.definition, prov.variant).find((v) => v.variant === prov.variant);
  if (variant === undefined) fail('INVALID_INPUT', `provenance: the definition has no variant ${prov.variant}`);
  const distro = opts.distroConfig ?? (await loadDistro(loaded.definition.distro, opts.distro ?? {}));
  const dir = await ctx.home.scratchDir('rebuild');
  try {
    const locked = lockedPlatformFromProvenance(prov);
    const sharedWith = await runtimePackagesBeside(loaded, prov.variant, locked.platform);
    const base = prov.base === undefined ? undefined : await baseFromProvenance(loaded, prov.base, locked);
    const build = await buildPlatform(
      {
        variant,
        locked,
        distro,
        host: hostPlatform(),
        ...(sharedWith !== undefined && { sharedWith }),
        epoch: prov.sourceDateEpoch,
        compression: prov.compression ?? 'gzip',
        ...(prov.source !== undefined && { source: prov.source }),
        definition: { path: prov.definition.path, digest: loaded.digest },
        // The verdict rests on the verified .debs alone: a poisoned cache must not rebuild its own poison.
        useCache: false,
        pathSources: await definitionPathSources(loaded, [variant]),
        ...(base !== undefined && { base }),
      },
      layoutEndpoint(dir),
      ctx,
    );
    return { build };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A customization's base as its provenance records it: the base definition beside the customization (its digest is
 * covered by the customization's, already checked), the base's packages picked by name from the recorded .debs,
 * and the base's own SOURCE_DATE_EPOCH, so the base layers come out as the base image's. A base that is itself a
 * customization is made the same way from the record of its own base, down the chain.
 */
async function baseFromProvenance(
  loaded: LoadedDefinition,
  recorded: ProvenanceBase | undefined,
  locked: LockedPlatform,
): Promise<BasePlatformInput> {
  const base = loaded.extends?.base;
  if (recorded === undefined || base === undefined) {
    return fail('INVALID_INPUT', `provenance: the image extends ${recorded?.name}, the definition extends nothing`);
  }
  if (base.extends !== undefined && recorded.base === undefined) {
    fail(
      'INVALID_INPUT',
      `provenance: the base ${recorded.name} extends ${base.extends.ref}, which it does not record`,
      {
        hint: 'the image was built by an Ironclad version that recorded one base only; build it again to rebuild it',
      },
    );
  }
  const variant = expandVariants(base.definition).find((v) => v.variant === recorded.variant);
  if (variant === undefined) fail('INVALID_INPUT', `provenance: the base has no variant ${recorded.variant}`);
  const names = new Set(recorded.packages);
  const baseLocked = { ...locked, packages: locked.packages.filter((p) => names.has(p.name)) };
  const sharedWith = await runtimePackagesBeside(base, recorded.variant, locked.platform);
  const nested = recorded.base === undefined ? undefined : await baseFromProvenance(base, recorded.base, baseLocked);
  // A published base (verified while loading) is labelled and compressed as it was published.
  const image = loaded.extends?.image;
  return {
    variant,
    locked: baseLocked,
    definition: { digest: base.digest, path: recorded.definition.path },
    definitionFile: recorded.definition.path,
    pathSources: await definitionPathSources(base, [variant]),
    epoch: recorded.sourceDateEpoch,
    reference: recorded.name,
    ...(sharedWith !== undefined && { sharedWith }),
    ...(nested !== undefined && { base: nested }),
    ...(image !== undefined && { compression: image.compression, ...(image.source && { source: image.source }) }),
  };
}

/**
 * A dev variant's layers are cut along its runtime variant's packages (build-platform.ts, `sharedWith`), which
 * the provenance of the dev image does not carry: they come from the lock beside the definition. A lock that
 * moved on since the build makes the rebuild differ, and the diff says which layers.
 */
async function runtimePackagesBeside(loaded: LoadedDefinition, variant: string, platform: string) {
  if (variant === 'runtime') return undefined;
  const lock = await readLockfile(loaded.dir).catch(() => undefined);
  return lock?.variants.runtime?.platforms[platform]?.packages;
}

/** What differs between the published manifest and the rebuilt one: config and layers by position. */
async function diff(sink: Referrers, published: Descriptor, rebuilt: PlatformBuild): Promise<string[]> {
  const bytes = await sink.readBlob(published, MAX_MANIFEST_BYTES);
  const parsed = parseManifest(bytes, published.mediaType, `manifest ${published.digest}`);
  if (parsed.kind !== 'manifest') return [`${published.digest} is an index, the rebuild a manifest`];
  const again = parseManifest(rebuilt.manifestBytes, rebuilt.manifest.mediaType);
  if (again.kind !== 'manifest') return ['the rebuilt manifest could not be read'];
  const mine = again.manifest;
  const out: string[] = [];
  if (parsed.manifest.config.digest !== mine.config.digest) {
    out.push(`config: ${parsed.manifest.config.digest} published, ${mine.config.digest} rebuilt`);
  }
  const n = Math.max(parsed.manifest.layers.length, mine.layers.length);
  for (let i = 0; i < n; i++) {
    const a = parsed.manifest.layers[i]?.digest ?? 'none';
    const b = mine.layers[i]?.digest ?? 'none';
    const group = rebuilt.layers[i]?.group.name ?? `#${i + 1}`;
    if (a !== b) out.push(`layer ${i + 1} (${group}): ${a} published, ${b} rebuilt`);
  }
  if (out.length === 0) out.push(`manifest: ${published.digest} published, ${rebuilt.manifest.digest} rebuilt`);
  return out;
}

function hexOf(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : digest;
}
