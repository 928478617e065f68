import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { fail, jsonOutput } from '../core/index.ts';
import { repoRelativePath } from '../definition/index.ts';
import { parseImageRef } from '../oci/index.ts';
import {
  describeBaseMove,
  describeMove,
  type ImageOutcome,
  type PlannedImage,
  type PlannedVariant,
  planUpdate,
  runUpdate,
  type UpdateRunOptions,
  type VariantOutcome,
  type VulnRef,
  withUpdateLock,
} from '../update/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { transfer } from './copy.ts';
import { type CatalogArgs, catalogOptions, distroOverrides, loadDefinitionArgs } from './definition-args.ts';
import { movedBaseNotes } from './image-base.ts';
import { loadSigner } from './image-target.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { signBuild } from './sign.ts';
import { printJobPlan } from './update-plan.ts';

export interface UpdateArgs extends CatalogArgs {
  readonly dryRun?: boolean;
  readonly format: string;
  readonly key?: string;
  readonly registry?: string;
  readonly insecure?: boolean;
  /** False with --no-test. */
  readonly test: boolean;
  /** False with --no-cache. */
  readonly cache?: boolean;
  readonly allowArchiveRollback?: boolean;
  /** Print the work as a job matrix instead of doing it (`--plan`, with `--all` and `--cache-from`). */
  readonly plan?: boolean;
  readonly all?: boolean;
  readonly cacheFrom?: string;
  /** `--jobs N`: images updated at a time. */
  readonly jobs?: string;
}

/**
 * `ironclad update`: re-lock every definition against the verified archive, report what moved and which
 * vulnerabilities that fixes, rebuild, test, sign and push only what changed, and record each tag move.
 */
export async function updateCommand(args: UpdateArgs, io: CliIO): Promise<ExitStatus> {
  if (!['table', 'json'].includes(args.format)) fail('USAGE', `--format ${args.format}: expected table or json`);
  const ctx = stageContext(io);
  const definitions = await loadDefinitionArgs(args, io);
  for (const note of await movedBaseNotes(definitions, io)) io.stderr(`note: ${note}`);
  // The key is unlocked first, so a wrong password fails before any build.
  const signer = args.key === undefined || args.dryRun || args.plan ? undefined : await loadSigner(args.key, io);
  const registry = args.registry === undefined ? undefined : registryPrefix(args.registry);
  const distro = distroOverrides(args, io);
  const jobs = args.jobs === undefined ? undefined : jobCount(args.jobs);
  const work = async (): Promise<ExitStatus> => {
    const plan = await planUpdate(
      definitions,
      { variant: args.variant, distro, allowRollback: args.allowArchiveRollback === true },
      ctx,
    );
    if (args.plan) {
      return printJobPlan(
        plan,
        {
          format: args.format,
          ...(args.all === true && { all: true }),
          ...(args.cacheFrom !== undefined && { cacheFrom: args.cacheFrom }),
          ...(registry !== undefined && { registry }),
        },
        io,
      );
    }
    if (args.dryRun) {
      io.stdout(args.format === 'json' ? toJson(plan, undefined, io) : renderPlan(plan, io));
      return 0;
    }
    const run: UpdateRunOptions = {
      test: args.test,
      ...(jobs !== undefined && { jobs }),
      noCache: args.cache === false,
      distro,
      definitionPath: (loaded) => repoRelativePath(loaded.path, io.cwd),
      ...(signer !== undefined && {
        // A rerun of an interrupted update rebuilds the same digests: what that run signed with this key and still
        // states the same is kept as it is (signBuild says so); a changed statement (new VEX) is attested anew.
        afterBuild: async (result, imageCtx) => {
          await signBuild(result, signer, { ...io, log: imageCtx.log }, imageCtx);
        },
      }),
      ...(registry !== undefined && {
        publish: async (image, imageCtx) => {
          for (const tag of image.variant.tags) {
            const target = `${registry}/${image.variant.name}:${tag}`;
            const source = `${image.variant.name}@${image.index.digest}`;
            await transfer(
              parseImageRef(source),
              parseImageRef(target),
              { allPlatforms: true, referrers: true, insecure: args.insecure },
              { ...io, log: imageCtx.log },
            );
            imageCtx.log.info(`pushed ${target}`);
          }
        },
      }),
    };
    const outcomes = await runUpdate(plan, run, ctx);
    io.stdout(args.format === 'json' ? toJson(plan, outcomes, io) : renderOutcomes(outcomes, io));
    for (const o of outcomes)
      if (o.failure) io.stderr(`error: ${o.planned.loaded.definition.name}: ${o.failure.message}`);
    return outcomes.some((o) => o.failure !== undefined) ? 1 : 0;
  };
  // A dry run and a job plan write nothing and need not wait; an update plans under the home's update lock, so a
  // second one waits for the first and plans against what the first wrote.
  return args.dryRun || args.plan ? work() : withUpdateLock(ctx, work);
}

function jobCount(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) fail('USAGE', `--jobs ${text}: expected a whole number of images, 1 or more`);
  return n;
}

/** `HOST/PREFIX` (or `docker://HOST/PREFIX`) under which each image goes as `PREFIX/NAME:TAG`. */
function registryPrefix(text: string): string {
  const bare = text.replace(/^docker:\/\//, '').replace(/\/+$/, '');
  if (!bare.includes('/') && !bare.includes('.') && !bare.includes(':')) {
    fail('USAGE', `--registry ${text}: expected HOST[/PREFIX], e.g. registry.example.com/base`);
  }
  if (/[:@][^/]*$/.test(bare.split('/').slice(1).join('/'))) {
    fail('USAGE', `--registry ${text}: give a repository prefix without a tag or digest`, {
      hint: 'each image is pushed as PREFIX/NAME:TAG for every tag of its definition',
    });
  }
  return bare;
}

function renderPlan(plan: readonly PlannedImage[], io: CliIO): string {
  const out: string[] = [];
  for (const image of plan) {
    out.push(imageHeading(image, io));
    for (const v of image.variants) {
      out.push(...movesLines(v));
      const what = v.rebuild === undefined ? 'unchanged' : `would rebuild (${reasonText(v.rebuild)})`;
      out.push(`  ${v.tags.join(', ')}: ${what}${v.current ? `, now ${short(v.current.digest)}` : ''}`);
    }
  }
  const pending = plan.flatMap((i) => i.variants).filter((v) => v.rebuild !== undefined).length;
  out.push('', `dry run: ${pending} image${pending === 1 ? '' : 's'} to rebuild; nothing was written`);
  return out.join('\n');
}

function renderOutcomes(outcomes: readonly ImageOutcome[], io: CliIO): string {
  const out: string[] = [];
  for (const o of outcomes) {
    out.push(imageHeading(o.planned, io));
    for (const v of o.variants) {
      if (v.base !== undefined) out.push(`  ${v.planned.variant.variant}: ${describeBaseMove(v.base)}`);
      out.push(...movesLines(v.planned));
      out.push(`  ${v.planned.tags.join(', ')}: ${outcomeText(v)}`);
    }
    if (o.failure) out.push(`  failed (${o.failure.code}): lock and tags left as they were`);
  }
  const all = outcomes.flatMap((o) => o.variants);
  const n = (s: VariantOutcome['status']) => all.filter((v) => v.status === s).length;
  out.push('', `${n('updated')} updated, ${n('unchanged')} unchanged, ${n('failed')} failed`);
  return out.join('\n');
}

function imageHeading(image: PlannedImage, io: CliIO): string {
  const where = repoRelativePath(image.loaded.dir, io.cwd);
  const state = image.previous === undefined ? 'no lock yet' : image.lockChanged ? 'lock changed' : 'lock up to date';
  return `${image.loaded.definition.name} (${where}): ${state}`;
}

function movesLines(v: PlannedVariant): string[] {
  const lines = v.moves.map((m) => `  ${v.variant.variant} ${m.platforms.join(',')}: ${describeMove(m)}`);
  if (v.vulns !== undefined) {
    if (v.vulns.fixed.length > 0) lines.push(`  fixes ${vulnList(v.vulns.fixed)}`);
    if (v.vulns.introduced.length > 0) lines.push(`  introduces ${vulnList(v.vulns.introduced)}`);
  }
  return lines;
}

function outcomeText(v: VariantOutcome): string {
  switch (v.status) {
    case 'unchanged':
      return `unchanged${v.planned.current ? `, ${short(v.planned.current.digest)}` : ''}`;
    case 'failed':
      return 'not updated';
    case 'updated': {
      const from = v.previous ? `${short(v.previous)} → ` : '';
      const layers = v.layers ? `; layers: ${v.layers.created} created, ${v.layers.reused} reused` : '';
      return `${from}${short(v.digest ?? '')}${layers}`;
    }
  }
}

function reasonText(r: NonNullable<PlannedVariant['rebuild']>): string {
  return r === 'lock-changed' ? 'lock changed' : 'not in the local store';
}

function vulnList(list: readonly VulnRef[]): string {
  return list.map((v) => `${v.id} (${v.severity}, ${v.source})`).join(', ');
}

function short(digest: string): string {
  return digest.slice(0, 19);
}

function toJson(plan: readonly PlannedImage[], outcomes: readonly ImageOutcome[] | undefined, io: CliIO): string {
  const images = plan.map((image, i) => {
    const outcome = outcomes?.[i];
    return {
      name: image.loaded.definition.name,
      definition: repoRelativePath(image.loaded.path, io.cwd),
      lockChanged: image.lockChanged,
      lockWritten: outcome?.lockWritten ?? false,
      ...(outcome?.failure !== undefined && { failure: outcome.failure }),
      variants: image.variants.map((v, j) => variantJson(v, outcome?.variants[j])),
    };
  });
  return jsonOutput('update', { dryRun: outcomes === undefined, images });
}

function variantJson(v: PlannedVariant, o: VariantOutcome | undefined): object {
  return {
    variant: v.variant.variant,
    tags: v.tags,
    platforms: v.platforms,
    rebuild: v.rebuild ?? null,
    status: o?.status ?? 'planned',
    current: v.current?.digest ?? null,
    ...(o?.digest !== undefined && { digest: o.digest, previous: o.previous ?? null }),
    ...(o?.layers !== undefined && { layers: o.layers }),
    ...(o?.changelog !== undefined && { changelog: o.changelog }),
    ...(o?.base !== undefined && { base: o.base }),
    packages: v.moves,
    ...(v.vulns !== undefined && { fixed: v.vulns.fixed, introduced: v.vulns.introduced }),
  };
}

export const registerUpdate: VerbRegistrar = (program: Command, io, run) => {
  const command = program.command('update');
  catalogOptions(command)
    .summary('re-lock images against the archive, rebuild, test, sign and push only what changed')
    .description(
      'Re-locks each definition (default: every image under --images, or those a --catalog file lists) against the verified archive, says which packages moved and which known vulnerabilities that fixes or introduces, then rebuilds only the images whose lock changed (or that are not in the local store), tests them, signs them with --key, attaches a changelog, pushes them with --registry, records the move in the history, moves the tags and writes the lock. Exit status: 0 nothing to do or all done, 1 a test or policy failed, 3 trust failure, 4 network.',
    )
    .option(
      '--catalog <file>',
      "the images a catalog document lists (ironclad catalog --format json, or an export's catalog.json), each from its directory under --images",
    )
    .option('--dry-run', 'show what moved and what would be rebuilt; build and write nothing')
    .option('--format <format>', 'table or json', 'table')
    .option('--key <file>', 'sign the rebuilt images and attach signed provenance and SBOM attestations')
    .option('--registry <host/prefix>', 'push each rebuilt image as HOST/PREFIX/NAME:TAG, every tag')
    .option('--insecure', 'use plain http for the registry (loopback hosts always do)')
    .option('--no-test', 'do not test rebuilt images before their tags move (provenance records it)')
    .option('--jobs <n>', `images to update at a time (default: the number of cores, here ${availableParallelism()})`)
    .option('--no-cache', 'derive everything from the verified .debs; read and write no derived cache')
    .option('--allow-archive-rollback', 'accept an InRelease older than one already seen for its suite')
    .option(
      '--plan',
      'print the rebuild as independent jobs (image × variant × platform) for a CI matrix; build nothing',
    )
    .option('--all', 'with --plan: every variant, not only those whose lock moved or that are not built')
    .option('--cache-from <repo>', 'with --plan: the jobs share compressed layers through this REGISTRY/REPO')
    .addHelpText(
      'after',
      `
Examples:
  ironclad update --dry-run                  # what moved in the archive since the committed locks
  ironclad update images/python --variant runtime
  ironclad update --jobs 1 --no-test       # one image at a time
  ironclad catalog --format json > catalog.json && ironclad update --catalog catalog.json --dry-run
  ironclad update --catalog site/catalog.json --images images   # the images a published catalog export lists
  IRONCLAD_PASSWORD=... ironclad update --key ironclad.key --registry registry.example.com/base
  ironclad update --format json | jq '.images[] | select(.lockChanged) | .name'
  ironclad history python:3.11               # every digest the tag had, and why it moved
  ironclad update --plan --all --cache-from registry.example.com/cache --format json   # a CI matrix (docs/scale-out.md)

An interrupted update leaves every lock, tag and history entry old or new; run it again to finish (with --key,
what the interrupted run already signed and attested with that key is not signed again).
Images are updated in parallel (--jobs, default the core count), a base before what extends it; a layer
two images share is compressed once. Progress is one line per image step, each naming its image.
A second update on the same IRONCLAD_HOME waits for the first to finish (--dry-run and --plan do not wait).`,
    )
    .action((definitions: string[], opts: Omit<UpdateArgs, 'definitions'>) =>
      run(updateCommand({ definitions, ...opts }, io)),
    );
};
