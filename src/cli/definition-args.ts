import { resolve } from 'node:path';
import { catalogDefinitions } from '../catalog/index.ts';
import { type LoadedDefinition, loadDefinition } from '../definition/index.ts';
import type { CliIO } from './io.ts';

/** The definitions a catalog-wide verb works on: those named, else every image under `imagesDir`. */
export async function loadDefinitionArgs(
  definitions: readonly string[],
  imagesDir: string,
  io: CliIO,
): Promise<LoadedDefinition[]> {
  if (definitions.length > 0) return Promise.all(definitions.map((d) => loadDefinition(resolve(io.cwd, d))));
  return (await catalogDefinitions(resolve(io.cwd, imagesDir))).map((d) => d.loaded);
}
