import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { catalogDefinitions, catalogFileIds } from '../catalog/index.ts';
import { fail } from '../core/index.ts';
import type { LoadDistroOptions } from '../debian/index.ts';
import { DEFINITION_FILE, type LoadedDefinition, type LoadOptions, loadDefinition } from '../definition/index.ts';
import { imageBaseResolver } from './image-base.ts';
import { readInputFile } from './input-file.ts';
import type { CliIO } from './io.ts';

/** What a catalog-wide verb that re-locks (update, status) takes: which definitions, and which archive. */
export interface CatalogArgs {
  readonly definitions: readonly string[];
  readonly images: string;
  readonly variant: string;
  readonly distros?: string;
  readonly mirror?: string;
  readonly securityMirror?: string;
  /** `--catalog FILE` (update): the images a catalog document lists, from the definitions under --images. */
  readonly catalog?: string;
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

/**
 * The definitions named, else those a `--catalog` file lists, else every image under `--images`. A customization
 * of a published image (`extends: {image, key}`) has its base verified with the key its definition names, as
 * `lock` and `build` do: a base that does not verify stops the command (exit 3, naming the failed check).
 */
export async function loadDefinitionArgs(args: CatalogArgs, io: CliIO): Promise<LoadedDefinition[]> {
  const load = { imageBase: imageBaseResolver(io) };
  if (args.catalog !== undefined) return catalogFileDefinitions(args, args.catalog, load, io);
  if (args.definitions.length > 0) {
    return Promise.all(args.definitions.map((d) => loadDefinition(resolve(io.cwd, d), load)));
  }
  return (await catalogDefinitions(resolve(io.cwd, args.images), load)).map((d) => d.loaded);
}

/**
 * The definitions a catalog document lists: each entry id is the directory of its definition under `--images`, as
 * `ironclad catalog --images DIR` made it.
 */
async function catalogFileDefinitions(
  args: CatalogArgs,
  file: string,
  load: LoadOptions,
  io: CliIO,
): Promise<LoadedDefinition[]> {
  if (args.definitions.length > 0) {
    fail('USAGE', `--catalog ${file} and definitions given: pass one or the other`, {
      hint: 'the catalog file names the images; drop the definitions, or drop --catalog',
    });
  }
  const ids = catalogFileIds(await readInputFile(file, io, 'a catalog document'), file);
  const imagesDir = resolve(io.cwd, args.images);
  const missing = ids.filter((id) => !existsSync(join(imagesDir, id, DEFINITION_FILE)));
  if (missing.length > 0) {
    fail('NOT_FOUND', `${file} lists ${missing.join(', ')}, not defined under ${args.images}`, {
      hint: `each catalog id is a directory of --images holding its ${DEFINITION_FILE}; pass the --images the catalog was made from`,
    });
  }
  return Promise.all(ids.map((id) => loadDefinition(join(imagesDir, id), load)));
}

/** The mirror and distros-folder overrides of CatalogArgs. */
export function distroOverrides(args: CatalogArgs, io: CliIO): LoadDistroOptions {
  return {
    ...(args.mirror !== undefined && { mirror: args.mirror }),
    ...(args.securityMirror !== undefined && { securityMirror: args.securityMirror }),
    ...(args.distros !== undefined && { dir: resolve(io.cwd, args.distros) }),
  };
}
