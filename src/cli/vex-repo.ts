import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  buildVexRepository,
  VEX_REPO_ARCHIVE,
  VEX_REPO_MANIFEST,
  type VexRepoOptions,
  writeVexRepository,
} from '../catalog/index.ts';
import { loadCatalog } from './catalog.ts';
import type { VerbRegistrar } from './commands.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';

export interface VexRepoExportArgs {
  readonly repositoryUrl: string;
  readonly url: string;
  readonly name: string;
  readonly author: string;
  readonly updateInterval: string;
  readonly images?: string;
}

/**
 * `ironclad vex repo export DIR`: the OpenVEX statements of the catalog's images in the local store as a VEX
 * repository (vex-repo-spec v0.1), written atomically; serve DIR at `--url`.
 */
export async function vexRepoExportCommand(dir: string, args: VexRepoExportArgs, io: CliIO): Promise<ExitStatus> {
  const ctx = stageContext(io);
  const collected = await loadCatalog(args, io);
  const opts: VexRepoOptions = {
    repositoryUrl: args.repositoryUrl,
    url: args.url,
    name: args.name,
    author: args.author,
    updateInterval: args.updateInterval,
  };
  const now = ctx.now();
  const repo = buildVexRepository(collected, opts, now);
  const target = resolve(io.cwd, dir);
  await writeVexRepository(repo, target, now);
  for (const p of repo.index.packages) io.stdout(`${p.id}  ${p.location}`);
  io.stdout(`wrote ${target}/${VEX_REPO_MANIFEST} and ${target}/${VEX_REPO_ARCHIVE}; serve ${target} at ${args.url}`);
  return 0;
}

/** Registers `vex repo export` under the `vex` verb. */
export function registerVexRepo(vex: Command, io: CliIO, run: Parameters<VerbRegistrar>[2]): void {
  vex
    .command('repo')
    .description('VEX repositories (aquasecurity vex-repo-spec v0.1) for scanners such as trivy')
    .addHelpText(
      'after',
      '\nExamples:\n  ironclad vex repo export vex-site --repository-url registry.example.com/ironclad --url https://vex.example.com',
    )
    .command('export')
    .description("Write the catalog images' OpenVEX statements as a VEX repository, atomically")
    .argument('<dir>', 'directory to write (.well-known/vex-repository.json and vex-repository.tar.gz)')
    .requiredOption(
      '--repository-url <host/prefix>',
      'where the images are published, e.g. registry.example.com/ironclad',
    )
    .requiredOption('--url <https-url>', 'https URL DIR will be served from, e.g. https://vex.example.com')
    .option('--name <name>', 'repository name', 'Ironclad VEX repository')
    .option('--author <author>', 'author of the OpenVEX documents', 'Ironclad catalog')
    .option('--update-interval <duration>', 'how often clients should check for updates', '24h')
    .option('--images <dir>', 'directory of image definitions', 'images')
    .addHelpText(
      'after',
      '\nExamples:\n  ironclad vex repo export vex-site --repository-url registry.example.com/ironclad --url https://vex.example.com\n  trivy vex repo list   # after adding https://vex.example.com to ~/.trivy/vex/repository.yaml (docs/vex-repo.md)',
    )
    .exitOverride()
    .action((dir: string, o: VexRepoExportArgs) => run(vexRepoExportCommand(dir, o, io)));
}
