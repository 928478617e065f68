import type { StageContext } from '../core/index.ts';
import {
  formatPlatform,
  imageSourceFrom,
  isIndexMediaType,
  type LayoutStore,
  openEndpoint,
  parsePlatform,
  storeTagName,
} from '../oci/index.ts';
import { countBySeverity, imageScanInput, scanPackages, type VulnDb } from '../vuln/index.ts';
import { attachedFacts } from './evidence.ts';
import type { BuiltVariant, PlatformDetails, PlatformSummary } from './model.ts';

export interface StoredVariant {
  readonly image: BuiltVariant;
  readonly details: readonly PlatformDetails[];
}

/**
 * Reads one tagged image of the local store (`name:tag`) for the catalog: per platform its size, packages (the
 * SBOM catalogers, as `ironclad sbom`), findings after VEX (as `ironclad scan`: the same stage functions with the
 * VEX attached to the image), and what is attached to it. Undefined when the tag is not in the store. Reads only.
 */
export async function readStoredVariant(
  store: LayoutStore,
  name: string,
  tag: string,
  db: VulnDb | null,
  ctx: StageContext,
): Promise<StoredVariant | undefined> {
  const top = await store.resolveTag(storeTagName(name, tag));
  if (top === undefined) return undefined;
  const endpoint = openEndpoint({ kind: 'store', name, tag }, { home: ctx.home });
  const sink = endpoint.referrers;
  const summaries: PlatformSummary[] = [];
  const details: PlatformDetails[] = [];
  let created: string | undefined;
  const listed = await endpoint.source.manifests();
  for (const m of isIndexMediaType(top.mediaType) ? listed.filter((d) => d.platform !== undefined) : listed) {
    const image = await imageSourceFrom(endpoint.store, m.digest).resolve();
    const manifest = { manifest: image.manifest() };
    const config = await image.config();
    const platform = formatPlatform({
      os: config.os,
      architecture: config.architecture,
      ...(config.variant !== undefined && { variant: config.variant }),
    });
    created = newest(created, config.created);
    const input = await imageScanInput(endpoint, parsePlatform(platform), ctx);
    const scan =
      db === null || input.distro === null
        ? null
        : scanPackages(input.packages, input.distro, db, {
            vex: input.vex.map((v) => v.document),
            imageDigest: input.imageDigest,
            log: ctx.log,
          });
    const facts = await attachedFacts(sink, m.digest);
    const layers = manifest.manifest.layers;
    summaries.push({
      platform,
      digest: m.digest,
      compressedSize: m.size + manifest.manifest.config.size + layers.reduce((a, l) => a + l.size, 0),
      layers: layers.length,
      packages: input.packages.length,
      vulnerabilities: scan === null ? null : countBySeverity(scan.findings),
      suppressed: scan?.suppressed.length ?? 0,
    });
    details.push({
      platform,
      digest: m.digest,
      packages: input.packages,
      findings: scan?.findings ?? null,
      suppressed: scan?.suppressed ?? [],
      provenance: facts.provenance,
      tests: facts.tests,
      attestations: facts.attestations,
      signed: facts.signed,
      vex: input.vex.map((v) => v.document),
    });
  }
  const tested = details.every((d) => d.tests !== null)
    ? details.some((d) => (d.tests?.results.summary.failed ?? 0) > 0)
      ? 'failed'
      : 'passed'
    : 'not-recorded';
  return {
    image: {
      digest: top.digest,
      lastPatched: created === undefined ? null : created.slice(0, 10),
      signed: details.length > 0 && details.every((d) => d.signed),
      tested: details.length > 0 ? tested : 'not-recorded',
      platforms: summaries,
    },
    details,
  };
}

function newest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
