import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type RebuildReport, rebuildImage } from '../attest/index.ts';
import { jsonOutput } from '../core/index.ts';
import { repositoryRoot } from '../definition/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { imageBaseResolver } from './image-base.ts';
import { loadPublicKeyFile, openTarget } from './image-target.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { textOrJson } from './output-format.ts';

export interface RebuildArgs {
  readonly image: string;
  readonly verify: boolean;
  readonly key?: string;
  readonly repo?: string;
  readonly format: string;
  readonly distros?: string;
  /** The public key a published base (`extends: {image}`) must verify with, instead of the definition's. */
  readonly baseKey?: string;
}

/**
 * `ironclad rebuild IMAGE --verify`: repeats each platform's build from its provenance and compares digests.
 * With `--verify`, exit 3 unless every platform rebuilds bit for bit; without it, the outcome is only reported.
 */
export async function rebuildCommand(args: RebuildArgs, io: CliIO): Promise<ExitStatus> {
  textOrJson(args.format);
  const publicKey = args.key === undefined ? undefined : await loadPublicKeyFile(args.key, io);
  if (publicKey === undefined) io.log.warn('the provenance signature is not checked (add --key PUB)');
  const { sink, target } = await openTarget(args.image, io);
  const report = await rebuildImage(
    sink,
    target,
    {
      repoRoot: args.repo === undefined ? (repositoryRoot(io.cwd) ?? io.cwd) : resolve(io.cwd, args.repo),
      ...(publicKey !== undefined && { publicKey }),
      ...(args.distros !== undefined && { distro: { dir: resolve(io.cwd, args.distros) } }),
      load: { imageBase: imageBaseResolver(io, args.baseKey) },
    },
    stageContext(io),
  );
  io.stdout(args.format === 'json' ? jsonOutput('rebuild', { image: args.image, ...report }) : renderText(report));
  if (report.ok || !args.verify) return 0;
  io.stderr(`error: ${args.image} does not rebuild to the same digest`);
  return 3;
}

function renderText(r: RebuildReport): string {
  const out: string[] = [];
  for (const p of r.platforms) {
    out.push(`${p.identical ? 'identical' : 'DIFFERENT'}  ${p.platform}`);
    out.push(`  published  ${p.expected}`);
    if (p.rebuilt !== undefined) out.push(`  rebuilt    ${p.rebuilt}`);
    out.push(`  definition ${p.definition.path} ${p.definition.matches ? '(digest matches)' : '(DIGEST DIFFERS)'}`);
    out.push(`  provenance ${p.provenanceVerified ? 'signature verified' : 'signature NOT checked'}`);
    for (const d of p.differences) out.push(`  - ${d}`);
  }
  return out.join('\n');
}

export const registerRebuild: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('rebuild')
    .summary('rebuild an image from its provenance and compare digests')
    .description(
      'Reads the SLSA provenance attached to each platform manifest, checks the definition it names, fetches ' +
        'every recorded .deb by digest, rebuilds with the recorded SOURCE_DATE_EPOCH into a temporary layout and ' +
        'compares manifest digests, naming the layers that differ. No derived cache (parsed .debs, compressed ' +
        'layers) is read: the verdict rests on the verified .debs alone.',
    )
    .argument('<image>', 'image in the local store (name:tag) or an OCI layout (oci:DIR[:TAG])')
    .option('--verify', 'exit 3 unless the rebuild is bit for bit identical', false)
    .option('--key <file>', 'public key the provenance must be signed with')
    .option('--repo <dir>', 'repository root the provenance definition path is relative to (default: git root)')
    .option('--format <format>', 'text or json', 'text')
    .option('--distros <dir>', 'read distro configs from this folder instead of the built-in distros/')
    .option(
      '--base-key <file>',
      "for a customization of a published image: the key its base must verify with, instead of the definition's",
    )
    .addHelpText(
      'after',
      `
Examples:
  ironclad rebuild python:3.11 --verify --key ironclad.pub
  ironclad rebuild oci:./out:3.11 --verify --repo ~/src/images
  ironclad rebuild my-python:3.11 --verify --key ironclad.pub --base-key team.pub --format json`,
    )
    .action((image: string, opts: Omit<RebuildArgs, 'image'>) => run(rebuildCommand({ image, ...opts }, io)));
};
