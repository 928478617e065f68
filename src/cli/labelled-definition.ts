import { isAbsolute, resolve } from 'node:path';
import { isIroncladError } from '../core/index.ts';
import { expandVariants, type ImageVariant, loadDefinition } from '../definition/index.ts';
import { DEFINITION_LABELS } from '../image/index.ts';
import type { ImageSource } from '../oci/index.ts';
import { IRONCLAD_LABELS } from '../testing/index.ts';
import type { CliIO } from './io.ts';
import { repositoryRoot } from './repository-root.ts';

/**
 * The variant of the definition an image was built from (and all its variants), found through the labels `build` records (path relative
 * to the repository, and digest), so `ironclad test IMAGE` by tag runs the definition's tests too. Undefined,
 * with a warning saying why, when the image has no such labels, the file is gone or outside the repository, or
 * the definition changed since the build: its tests would not be the ones the image was built against, so only
 * the image checks run.
 */
export async function labelledVariant(
  source: ImageSource,
  io: CliIO,
): Promise<{ readonly variant: ImageVariant; readonly all: readonly ImageVariant[] } | undefined> {
  const labels: Readonly<Record<string, string>> = await source
    .resolve()
    .then(async (image) => (await image.config()).config?.Labels ?? {})
    // An image with no platform for this machine still gets its image checks; testImage reports why.
    .catch((err: unknown) => (isIroncladError(err) ? {} : Promise.reject(err)));
  const recorded = labels[DEFINITION_LABELS.path];
  const builtFrom = labels[DEFINITION_LABELS.digest];
  if (recorded === undefined || builtFrom === undefined) return undefined;
  const onlyImageChecks = (why: string) => {
    io.log.warn(`${source.ref}: ${why}; running the image checks only`);
    return undefined;
  };
  if (isAbsolute(recorded) || recorded.split(/[\\/]/).includes('..')) {
    return onlyImageChecks(`definition path ${JSON.stringify(recorded)} is not inside the repository`);
  }
  const path = resolve(repositoryRoot(io.cwd) ?? io.cwd, recorded);
  const loaded = await loadDefinition(path).catch((err: unknown) =>
    isIroncladError(err) ? err.message : Promise.reject(err),
  );
  if (typeof loaded === 'string') return onlyImageChecks(`its definition ${recorded} cannot be loaded (${loaded})`);
  if (loaded.digest !== builtFrom) {
    return onlyImageChecks(
      `its definition ${recorded} changed since the image was built (definition ${loaded.digest}, image built from ${builtFrom})`,
    );
  }
  const name = labels[IRONCLAD_LABELS.variant];
  const all = expandVariants(loaded.definition);
  const variant = all.find((v) => v.variant === name);
  if (variant === undefined) return onlyImageChecks(`its definition ${recorded} has no variant ${name}`);
  return { variant, all };
}
