import { layoutReferrerSink } from '../attest/index.ts';
import type { StageContext } from '../core/index.ts';
import {
  type Descriptor,
  formatPlatform,
  isIndexMediaType,
  type LayoutStore,
  MAX_CONFIG_BYTES,
  MAX_MANIFEST_BYTES,
  openImageSource,
  parseImageConfig,
  parseManifest,
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
  const sink = layoutReferrerSink(store);
  const source = openImageSource({ kind: 'store', name, tag }, { home: ctx.home });
  const summaries: PlatformSummary[] = [];
  const details: PlatformDetails[] = [];
  let created: string | undefined;
  for (const m of await platformManifests(store, top)) {
    const manifest = parseManifest(await store.readBlob(m.digest, MAX_MANIFEST_BYTES), m.mediaType);
    if (manifest.kind !== 'manifest') continue;
    const config = parseImageConfig(await store.readBlob(manifest.manifest.config.digest, MAX_CONFIG_BYTES));
    const platform = formatPlatform({
      os: config.os,
      architecture: config.architecture,
      ...(config.variant !== undefined && { variant: config.variant }),
    });
    created = newest(created, config.created);
    const input = await imageScanInput(source, parsePlatform(platform), ctx);
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

async function platformManifests(store: LayoutStore, top: Descriptor): Promise<readonly Descriptor[]> {
  if (!isIndexMediaType(top.mediaType)) return [top];
  const parsed = parseManifest(await store.readBlob(top.digest, MAX_MANIFEST_BYTES), top.mediaType);
  return parsed.kind === 'index' ? parsed.index.manifests.filter((m) => m.platform !== undefined) : [];
}

function newest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
