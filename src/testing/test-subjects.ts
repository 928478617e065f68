import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fail, isIroncladError, type Logger } from '../core/index.ts';
import {
  DEFINITION_LABELS,
  expandVariants,
  type ImageVariant,
  loadDefinition,
  repositoryRoot,
} from '../definition/index.ts';
import type { ImageSource } from '../oci/index.ts';
import { IRONCLAD_LABELS } from './expectations.ts';
import type { TestImageOptions } from './test-image.ts';

/** What `ironclad test TARGET` tests: one image as given, or each variant of a definition as `name:firstTag`. */
export interface TestSubject {
  readonly image: string;
  /** The definition variant it was built from: its functional tests run too. */
  readonly variant?: ImageVariant;
  /** Every variant of that definition, for exec probes that run in another variant's image. */
  readonly siblings?: readonly ImageVariant[];
}

export interface SubjectEnv {
  /** The invocation's directory: relative targets, and the repository the labels' paths are relative to. */
  readonly cwd: string;
  /** Opens what the user typed as an image reference (the caller plugs in registries). */
  readonly open: (ref: string) => ImageSource;
  readonly log: Logger;
}

/**
 * The subjects of a test target: an image directory or definition file gives each of its variants (in the local
 * store); anything else is an image reference, whose definition is found through its labels when it can be.
 */
export async function testSubjects(target: string, env: SubjectEnv): Promise<TestSubject[]> {
  const path = resolve(env.cwd, target);
  const st = await stat(path).catch(() => undefined);
  const isDefinition = st?.isDirectory() === true || (st?.isFile() === true && /\.ya?ml$/.test(path));
  if (!isDefinition) {
    const labelled = await labelledVariant(env.open(target), env);
    return [{ image: target, ...(labelled !== undefined && { variant: labelled.variant, siblings: labelled.all }) }];
  }
  const { definition } = await loadDefinition(path);
  const all = expandVariants(definition);
  return all.map((v) => ({ image: storeImage(v), variant: v, siblings: all }));
}

/** `name:firstTag`, the local-store image of a variant. */
function storeImage(v: ImageVariant): string {
  const tag = v.tags[0];
  if (tag === undefined) fail('DEFINITION_INVALID', `${v.name}: variant ${v.variant} has no tag`);
  return `${v.name}:${tag}`;
}

/** The local-store image of the sibling variant an exec probe names, for one platform; undefined if not built. */
export function siblingImage(
  siblings: readonly ImageVariant[],
  open: SubjectEnv['open'],
): NonNullable<TestImageOptions['variantImage']> {
  return async (name, platform) => {
    const v = siblings.find((s) => s.variant === name);
    if (v === undefined) return undefined;
    return open(storeImage(v))
      .resolve(platform)
      .catch((err: unknown) => (isIroncladError(err, 'NOT_FOUND') ? undefined : Promise.reject(err)));
  };
}

/**
 * The variant of the definition an image was built from (and all its variants), found through the labels `build`
 * records (path relative to the repository, and digest), so `ironclad test IMAGE` by tag runs the definition's
 * tests too. Undefined, with a warning saying why, when the image has no such labels, the file is gone or outside
 * the repository, or the definition changed since the build: its tests would not be the ones the image was built
 * against, so only the image checks run.
 */
async function labelledVariant(
  source: ImageSource,
  env: Pick<SubjectEnv, 'cwd' | 'log'>,
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
    env.log.warn(`${source.ref}: ${why}; running the image checks only`);
    return undefined;
  };
  if (isAbsolute(recorded) || recorded.split(/[\\/]/).includes('..')) {
    return onlyImageChecks(`definition path ${JSON.stringify(recorded)} is not inside the repository`);
  }
  const path = resolve(repositoryRoot(env.cwd) ?? env.cwd, recorded);
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
