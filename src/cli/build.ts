import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fail, jsonOutput } from '../core/index.ts';
import { loadDefinition, readLockfile, repoRelativePath } from '../definition/index.ts';
import { type BuildResult, buildImages } from '../image/index.ts';
import { type ImageEndpoint, isLayoutRef, isRegistryRef, namedTag, parseImageRef } from '../oci/index.ts';
import type { TestReport } from '../testing/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { imageBaseResolver } from './image-base.ts';
import { loadSigner } from './image-target.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { signBuild } from './sign.ts';
import { SIGNATURE_FORMAT_HELP, signatureFormatOption } from './signature-format.ts';
import { openRef } from './source.ts';
import { formatBytes, renderTable } from './table.ts';

export interface BuildArgs {
  readonly definition: string;
  readonly variant: string;
  readonly platform?: string;
  readonly out?: string;
  readonly format: string;
  readonly sourceDateEpoch?: string;
  /** Sign the images and attach signed provenance and SBOM attestations with this private key. */
  readonly key?: string;
  readonly distros?: string;
  /** False with --no-test. */
  readonly test: boolean;
  /** False with --no-cache. */
  readonly cache?: boolean;
  /** gzip or zstd; default the definition's `compression`. */
  readonly compression?: string;
  /** REGISTRY/REPO (or oci:DIR) where workers share compressed layers. */
  readonly cacheFrom?: string;
  /** Where `--key` puts signatures and attestations. */
  readonly signatureFormat?: string;
  /** The public key a published base (`extends: {image}`) must verify with, instead of the definition's. */
  readonly baseKey?: string;
}

/** The place layers are shared (`--cache-from`): a registry repository or an OCI layout, without tag or digest. */
function cacheFromEndpoint(value: string | undefined, io: CliIO): ImageEndpoint | undefined {
  if (value === undefined) return undefined;
  const ref = parseImageRef(value);
  const hint = { hint: 'name a repository, e.g. --cache-from registry.example/ironclad-cache (or oci:DIR)' };
  if (!isRegistryRef(ref) && !isLayoutRef(ref)) fail('USAGE', `--cache-from ${value}: not a registry repository`, hint);
  if (namedTag(ref) !== undefined || ('digest' in ref && ref.digest !== undefined)) {
    fail('USAGE', `--cache-from ${value}: names a tag or digest; layers are shared by a repository`, hint);
  }
  return openRef(ref, io, { relativeToCwd: true });
}

function parseCompression(text: string | undefined): 'gzip' | 'zstd' | undefined {
  if (text === undefined || text === 'gzip' || text === 'zstd') return text;
  return fail('USAGE', `--compression ${text}: expected gzip or zstd`, {
    hint: 'gzip is read by every runtime; zstd needs containerd 1.5+, Docker 23+ or podman 3+',
  });
}

/** `ironclad build`: build images from a definition's lock into the local store or an OCI layout. */
export async function buildCommand(args: BuildArgs, io: CliIO): Promise<ExitStatus> {
  if (!['table', 'json'].includes(args.format)) fail('USAGE', `--format ${args.format}: expected table or json`);
  const compression = parseCompression(args.compression);
  const cacheFrom = cacheFromEndpoint(args.cacheFrom, io);
  const ctx = stageContext(io);
  const loaded = await loadDefinition(resolve(io.cwd, args.definition), {
    imageBase: imageBaseResolver(io, args.baseKey),
  });
  const lock = await readLockfile(loaded.dir);
  const epochText = args.sourceDateEpoch ?? io.env.SOURCE_DATE_EPOCH;
  const epoch = epochText === undefined ? undefined : parseEpoch(epochText);
  const signatureFormat = signatureFormatOption(args.signatureFormat);
  // The key is unlocked before building, so a wrong password fails fast rather than after a long build.
  const signer = args.key === undefined ? undefined : await loadSigner(args.key, io);
  const result = await buildImages(
    loaded,
    lock,
    {
      variant: args.variant,
      ...(args.platform !== undefined && { platforms: args.platform.split(',').map((p) => p.trim()) }),
      ...(args.out !== undefined && { out: resolve(io.cwd, args.out) }),
      ...(epoch !== undefined && { epoch }),
      // The same path the provenance records (signBuild), so rebuild labels the image identically.
      definitionPath: repoRelativePath(loaded.path, io.cwd),
      ...(args.distros !== undefined && { distro: { dir: resolve(io.cwd, args.distros) } }),
      test: args.test,
      noCache: args.cache === false,
      ...(compression !== undefined && { compression }),
      ...(cacheFrom !== undefined && { cacheFrom }),
    },
    ctx,
  );
  if (signer !== undefined) await signBuild(result, signer, io, ctx, signatureFormat);
  io.stdout(args.format === 'json' ? jsonOutput('build', buildJson(result)) : renderBuild(result));
  return 0;
}

function parseEpoch(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) fail('USAGE', `SOURCE_DATE_EPOCH ${text}: expected seconds since 1970`);
  return n;
}

function renderBuild(r: BuildResult): string {
  const out: string[] = [];
  for (const img of r.images) {
    out.push(`${img.variant.name} (${img.variant.variant})  index ${img.index.digest}`);
    out.push(
      renderTable(
        ['PLATFORM', 'MANIFEST', 'COMPRESSED', 'UNCOMPRESSED', 'PACKAGES', 'LAYERS'],
        img.platforms.map((p) => [
          p.platform,
          p.manifest.digest.slice(0, 19),
          formatBytes(p.compressedSize),
          formatBytes(p.uncompressedSize),
          String(p.tree.packages.length),
          String(p.layers.length),
        ]),
        [2, 3, 4, 5],
      ),
    );
    const origins = img.platforms.map((p) => originCounts(p));
    const sum = (k: string) => origins.reduce((n, o) => n + (o[k] ?? 0), 0);
    out.push(`layers: ${sum('compressed')} compressed, ${sum('cache')} from the layer cache, ${sum('shared')} shared`);
    out.push(`tests: ${img.testReport ? testSummary(img.testReport) : 'skipped (--no-test)'}`);
    out.push(`tagged: ${img.tags.join(', ')}`, '');
  }
  out.push(`layout: ${r.layout}`);
  return out.join('\n');
}

function testSummary(r: TestReport): string {
  const all = [...r.imageChecks, ...r.platforms.flatMap((p) => [...p.checks, ...p.tests])];
  const n = (s: string) => all.filter((x) => x.status === s).length;
  return `${n('passed')} passed, ${n('failed')} failed, ${n('skipped')} skipped`;
}

/** How many layers were compressed here, taken from the local cache, or from the shared repository. */
function originCounts(p: BuildResult['images'][number]['platforms'][number]): Record<string, number> {
  const counts: Record<string, number> = { compressed: 0, cache: 0, shared: 0 };
  for (const l of p.layers) counts[l.layer.origin] = (counts[l.layer.origin] ?? 0) + 1;
  return counts;
}

function buildJson(r: BuildResult): object {
  return {
    layout: r.layout,
    images: r.images.map((img) => ({
      name: img.variant.name,
      variant: img.variant.variant,
      index: img.index.digest,
      tags: img.tags,
      platforms: img.platforms.map((p) => ({
        platform: p.platform,
        manifest: p.manifest.digest,
        compressedSize: p.compressedSize,
        uncompressedSize: p.uncompressedSize,
        packages: p.tree.packages.length,
        layers: p.layers.length,
        compression: p.compression,
        layerOrigins: originCounts(p),
        layerList: p.layers.map((l) => ({
          diffId: l.layer.diffId,
          digest: l.layer.descriptor.digest,
          origin: l.layer.origin,
        })),
        sourceDateEpoch: p.epoch,
      })),
    })),
  };
}

export const registerBuild: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('build')
    .summary('build hardened OCI images from a definition and its lock')
    .description(
      'Fetches every locked .deb (sha256-verified), assembles the image without running any package script, ' +
        'and writes one manifest per platform under an OCI index into the local store (or --out DIR).',
    )
    .argument('<definition>', 'image directory or definition YAML file')
    .option('--variant <name>', 'runtime, dev, all, or another variant name', 'runtime')
    .option('--platform <list>', 'comma-separated platforms (default: every locked platform)')
    .option('--out <dir>', 'write into this OCI image layout instead of the local store')
    .option('--source-date-epoch <seconds>', 'timestamp for files and config (default: newest package date)')
    .option('--format <format>', 'table or json', 'table')
    .option('--key <file>', 'sign the images and attach signed provenance and SBOM attestations')
    .option('--signature-format <format>', `with --key: ${SIGNATURE_FORMAT_HELP}`, 'both')
    .option('--distros <dir>', 'read distro configs from this folder instead of the built-in distros/')
    .option('--no-test', 'do not test the images before tagging them (provenance records noTest: true)')
    .option('--no-cache', 'derive everything from the verified .debs; read and write no derived cache')
    .option('--compression <kind>', "layer compression: gzip or zstd (default: the definition's, gzip)")
    .option(
      '--base-key <file>',
      "public key a published base (extends: {image: ...}) must verify with, instead of the definition's",
    )
    .option(
      '--cache-from <repo>',
      'reuse compressed layers shared in REGISTRY/REPO by other builds, and share those made here',
    )
    .addHelpText(
      'after',
      `
Examples:
  ironclad build images/python
  IRONCLAD_PASSWORD=... ironclad build images/python --key ironclad.key
  IRONCLAD_PASSWORD=... ironclad build images/python --key ironclad.key --signature-format referrers
  ironclad build images/python --variant all --platform linux/amd64
  ironclad build images/python --out ./oci && skopeo inspect oci:./oci:3.11
  ironclad build images/python --no-test   # e.g. on a machine without runc; provenance says so
  ironclad build images/python --no-cache  # ignore parsed-.deb and layer caches (see ironclad cache verify)
  ironclad build images/python --compression zstd  # layers application/vnd.oci.image.layer.v1.tar+zstd
  ironclad build images/my-python --base-key team.pub --format json  # a published base, verified with team.pub
  ironclad build images/node --cache-from registry.example/ironclad-cache  # N workers compress each layer once`,
    )
    .action((definition: string, opts: Omit<BuildArgs, 'definition'>) =>
      run(buildCommand({ definition, ...opts }, io)),
    );
};
