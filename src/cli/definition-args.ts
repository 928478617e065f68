import { resolve } from 'node:path';
import type { Command } from 'commander';
import { catalogDefinitions } from '../catalog/index.ts';
import type { LoadDistroOptions } from '../debian/index.ts';
import { type LoadedDefinition, loadDefinition } from '../definition/index.ts';
import type { CliIO } from './io.ts';

/** What a catalog-wide verb that re-locks (update, status) takes: which definitions, and which archive. */
export interface CatalogArgs {
  readonly definitions: readonly string[];
  readonly images: string;
  readonly variant: string;
  readonly distros?: string;
  readonly mirror?: string;
  readonly securityMirror?: string;
}

/** Adds the definitions argument and the options of CatalogArgs to a verb. */
export function catalogOptions(command: Command): Command {
  return command
    .argument('[definition...]', 'image directories or definition files (default: every image under --images)')
    .option('--images <dir>', 'directory of image definitions, used when no definition is given', 'images')
    .option('--variant <name>', 'runtime, dev, all, or another variant name', 'all')
    .option('--distros <dir>', 'read distro configs from this folder instead of the built-in distros/')
    .option('--mirror <url>', 'use this Debian archive mirror')
    .option('--security-mirror <url>', 'use this Debian security archive mirror');
}

/** The definitions named, else every image under `--images`. */
export async function loadDefinitionArgs(args: CatalogArgs, io: CliIO): Promise<LoadedDefinition[]> {
  if (args.definitions.length > 0) {
    return Promise.all(args.definitions.map((d) => loadDefinition(resolve(io.cwd, d))));
  }
  return (await catalogDefinitions(resolve(io.cwd, args.images))).map((d) => d.loaded);
}

/** The mirror and distros-folder overrides of CatalogArgs. */
export function distroOverrides(args: CatalogArgs, io: CliIO): LoadDistroOptions {
  return {
    ...(args.mirror !== undefined && { mirror: args.mirror }),
    ...(args.securityMirror !== undefined && { securityMirror: args.securityMirror }),
    ...(args.distros !== undefined && { dir: resolve(io.cwd, args.distros) }),
  };
}
