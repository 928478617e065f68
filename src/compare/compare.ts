import type { StageContext } from '../core/index.ts';
import type { ImageEndpoint, Platform } from '../oci/index.ts';
import { attachedVex, SEVERITIES, type VulnDb } from '../vuln/index.ts';
import { diffAttackSurface } from './attack-surface.ts';
import { diffFiles } from './files-diff.ts';
import { type ImageFacts, provenanceOf, readImageFacts } from './image-facts.ts';
import { diffKeyValues, envRecord } from './kv-diff.ts';
import { type DiffPackage, diffPackages } from './packages-diff.ts';
import { COMPARE_SCHEMA, type CompareResult, type ImageOverview, type VulnerabilityDelta } from './types.ts';
import {
  type ImageVulnerabilities,
  imageVulnerabilities,
  type NamedVex,
  packageVulnerabilities,
} from './vuln-summary.ts';

export interface CompareOptions {
  /** Platform to compare on both sides; default: the sources' preferred platform (the host's, or the only one). */
  readonly platform?: Platform;
  /** An open vulnerability database; without one, vulnerability counts are null with a reason. */
  readonly db?: VulnDb;
  /** VEX documents to apply to both sides (`--vex`), after the ones attached to each image. */
  readonly vex?: readonly NamedVex[];
}

interface Side {
  readonly facts: ImageFacts;
  readonly vulns: ImageVulnerabilities;
}

/**
 * Reads one side and scans it as `ironclad scan` would: the VEX attached to its platform manifest (what scan
 * applies to an image) and then the user's documents.
 */
async function readSide(endpoint: ImageEndpoint, opts: CompareOptions, ctx: StageContext): Promise<Side> {
  const { source } = endpoint;
  ctx.log.progress(`reading ${source.ref}`);
  const facts = await readImageFacts(source, opts.platform, ctx.log);
  ctx.log.debug(`${source.ref}: ${facts.packages.length} packages, distro ${facts.distro?.id ?? 'unknown'}`);
  const attached = await attachedVex(endpoint, facts.manifestDigest);
  for (const v of attached) ctx.log.info(`${source.ref}: applying VEX attached to the image: ${v.digest.slice(0, 19)}`);
  const documents = [
    ...attached.map((v) => ({ name: `attached ${v.digest}`, document: v.document })),
    ...(opts.vex ?? []),
  ];
  const vulns = imageVulnerabilities(facts.packages, facts.distro, opts.db, {
    documents,
    imageDigest: facts.manifestDigest,
  });
  return { facts, vulns };
}

function overview(s: Side): ImageOverview {
  const { facts } = s;
  return {
    ref: facts.ref,
    digest: facts.digest,
    manifestDigest: facts.manifestDigest,
    tag: facts.tag,
    platform: facts.platform,
    provenance: provenanceOf(facts.config.config?.Labels ?? {}),
    created: facts.config.created ?? null,
    user: facts.config.config?.User ?? '',
    compressedSize: facts.compressedSize,
    layers: facts.layers,
    packageCount: facts.packages.length,
    distro: facts.distro,
    vulnerabilities: s.vulns.summary,
  };
}

function vulnerabilityDelta(target: Side, baseline: Side): VulnerabilityDelta {
  const t = target.vulns.summary;
  const b = baseline.vulns.summary;
  if (!t.available || !b.available) return null;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, t.counts[s] - b.counts[s]]));
  return { ...(bySeverity as Record<(typeof SEVERITIES)[number], number>), total: t.total - b.total };
}

function diffSides(s: Side): DiffPackage[] {
  return s.facts.packages.map((p) => ({
    type: p.type,
    name: p.name,
    version: p.version,
    arch: p.arch,
    sourceName: p.sourceName,
    sourceVersion: p.sourceVersion,
    vulnerabilities: packageVulnerabilities(s.vulns, p),
  }));
}

/**
 * Compares two images, `target` against `baseline` (`ironclad compare TARGET --to BASELINE`): overview facts of
 * each, their deltas, attack surface, environment, labels and packages. Both images are read in parallel, each
 * layer streamed once; nothing is written. The VEX attached to each image, then `opts.vex`, is applied as `scan`
 * applies it. The result is sorted deterministically (see types.ts).
 * @throws IroncladError from reading either image (NOT_FOUND, DIGEST_MISMATCH, INVALID_INPUT, ...).
 */
export async function compareImages(
  target: ImageEndpoint,
  baseline: ImageEndpoint,
  opts: CompareOptions,
  ctx: StageContext,
): Promise<CompareResult> {
  // The same endpoint on both sides is read once: the same reads would give the same side.
  const [t, b] =
    baseline === target
      ? await readSide(target, opts, ctx).then((side) => [side, side] as const)
      : await Promise.all([readSide(target, opts, ctx), readSide(baseline, opts, ctx)]);
  const to = overview(t);
  const bo = overview(b);
  return {
    schema: COMPARE_SCHEMA,
    target: to,
    baseline: bo,
    delta: {
      compressedSize: to.compressedSize - bo.compressedSize,
      layers: to.layers - bo.layers,
      packageCount: to.packageCount - bo.packageCount,
      vulnerabilities: vulnerabilityDelta(t, b),
    },
    attackSurface: {
      target: t.facts.surface,
      baseline: b.facts.surface,
      delta: diffAttackSurface(t.facts.surface, b.facts.surface),
    },
    environment: diffKeyValues(envRecord(t.facts.config.config?.Env), envRecord(b.facts.config.config?.Env)),
    labels: diffKeyValues(t.facts.config.config?.Labels ?? {}, b.facts.config.config?.Labels ?? {}),
    packages: diffPackages(diffSides(t), diffSides(b)),
    files: await diffFiles(t.facts.fs, b.facts.fs),
  };
}
