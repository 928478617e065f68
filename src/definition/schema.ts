import { z } from 'zod';
import { accountIssues, accounts } from './accounts-schema.ts';
import { CatalogInfo } from './catalog-info.ts';
import {
  absolutePath,
  argv,
  BUILTIN_ACCOUNTS,
  BUILTIN_GROUPS,
  distroName,
  envName,
  imageName,
  metadataKey,
  packageBudget,
  packageName,
  packageSpec,
  parseNumericUser,
  platform,
  portSpec,
  sizeBudget,
  stopSignal,
  tag,
  tagsSuffix,
  userRef,
} from './fields.ts';
import { pathEntry, pathIssues } from './paths-schema.ts';
import { imageTest, testUsers } from './tests-schema.ts';

/**
 * The image definition schema: the authority on what `image.yaml` may contain (DESIGN.md, Definitions).
 * Keys are kebab-case in YAML; `.transform` turns the parsed document into the camelCase model below in the
 * same pass. Every object is strict, so a misspelt key is an error rather than a silently ignored setting.
 */

const environment = z.record(envName, z.string().max(65536)).describe('Environment variables of the image config.');
const labels = z
  .record(metadataKey, z.string().max(65536))
  .describe(
    'OCI config labels. The builder adds org.opencontainers.image.{title,created,version,...}; the ' +
      'org.opencontainers.image.* keys given here also go into the manifest and index annotations.',
  );
const annotations = z
  .record(metadataKey, z.string().max(65536))
  .describe('Annotations of every platform manifest and of the index (not the config).');
const ports = z.array(portSpec).describe('Ports the service listens on (config ExposedPorts).');
const volumes = z.array(absolutePath).describe('Directories meant to be mounted as volumes (config Volumes).');
const workDir = absolutePath.describe('Working directory of the process (config WorkingDir); default "/".');

const readOnlyRoot = z
  .boolean()
  .describe(
    'The image works on a read-only root file system: run and test mount it read-only, with tmpfs on /tmp and the volumes.',
  );
const arbitraryUid = z
  .boolean()
  .describe(
    'The image also runs as an arbitrary uid in group 0, as OpenShift assigns one: every volume must be writable ' +
      'by group 0 (label dev.ironclad.arbitrary-uid; the writable-paths check holds the image to it).',
  );
const shellFlag = z.boolean().describe('The image deliberately contains a shell (compliance checks allow it).');
const pmFlag = z.boolean().describe('The image deliberately contains a package manager (compliance checks allow it).');

const variantOverlay = z
  .strictObject({
    description: z.string().max(1024).optional(),
    packages: z.array(packageSpec).optional().describe('Packages added to the base list.'),
    exclude: z.array(packageName).optional().describe('Names added to the base exclude list.'),
    user: userRef.optional(),
    environment: environment.optional().describe('Merged over the base environment.'),
    entrypoint: z
      .array(z.string().max(65536))
      .max(4096)
      .optional()
      .describe('Replaces the base entrypoint; [] removes it (dev variants: `run IMAGE bash` runs bash).'),
    cmd: z.array(z.string()).optional(),
    'work-dir': workDir.optional(),
    labels: labels.optional().describe('Merged over the base labels.'),
    annotations: annotations.optional().describe('Merged over the base annotations.'),
    ports: ports.optional().describe('Replaces the base ports.'),
    volumes: volumes.optional().describe('Replaces the base volumes.'),
    'stop-signal': stopSignal.optional(),
    'read-only-root': readOnlyRoot.optional(),
    'arbitrary-uid': arbitraryUid.optional(),
    paths: z
      .array(pathEntry)
      .optional()
      .describe('Paths added to the base paths (one with the same path replaces it).'),
    'drop-paths': z
      .array(z.string().max(4096))
      .optional()
      .describe(
        'Base paths entries (by path) this variant does not inherit, for a path a package of the variant ' +
          'provides itself or a deletion of files the variant keeps (say why in a comment). Each must name a base ' +
          'paths entry.',
      ),
    tests: z.array(imageTest).optional().describe('Tests added to the base tests.'),
    'drop-tests': z
      .array(z.string().max(128))
      .optional()
      .describe(
        'Names of base tests this variant does not inherit, for a promise only the runtime makes (say why in a ' +
          'comment). Each must name a base test.',
      ),
    'tags-suffix': tagsSuffix.optional().describe('Defaults to "-<variant name>".'),
    'size-budget': sizeBudget.optional(),
    'package-budget': packageBudget.optional(),
    shell: shellFlag.optional(),
    'package-manager': pmFlag.optional(),
    configure: z
      .boolean()
      .optional()
      .describe(
        'Configure the packages at build time (dpkg --configure in a sandbox; docs/dev-variants.md). Defaults to ' +
          'package-manager; false keeps an unconfigured database, for a variant not yet given the Essential set.',
      ),
  })
  .transform((v) => ({
    ...pick(v, ['description', 'packages', 'exclude', 'user', 'environment', 'entrypoint', 'cmd']),
    ...pick(v, ['labels', 'annotations', 'ports', 'volumes', 'paths', 'tests', 'shell']),
    ...(v['work-dir'] === undefined ? {} : { workdir: v['work-dir'] }),
    ...(v['stop-signal'] === undefined ? {} : { stopSignal: v['stop-signal'] }),
    ...(v['read-only-root'] === undefined ? {} : { readOnlyRoot: v['read-only-root'] }),
    ...(v['arbitrary-uid'] === undefined ? {} : { arbitraryUid: v['arbitrary-uid'] }),
    ...(v['tags-suffix'] === undefined ? {} : { tagsSuffix: v['tags-suffix'] }),
    ...(v['drop-tests'] === undefined ? {} : { dropTests: v['drop-tests'] }),
    ...(v['drop-paths'] === undefined ? {} : { dropPaths: v['drop-paths'] }),
    ...(v['size-budget'] === undefined ? {} : { sizeBudget: v['size-budget'] }),
    ...(v['package-budget'] === undefined ? {} : { packageBudget: v['package-budget'] }),
    ...(v['package-manager'] === undefined ? {} : { packageManager: v['package-manager'] }),
    ...(v.configure === undefined ? {} : { configure: v.configure }),
  }))
  .describe('An overlay on the base definition: lists are appended, records merged, scalars replaced.');

const variantName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lowercase letters, digits and "-"')
  .refine((n) => n !== 'runtime' && n !== 'all', '"runtime" and "all" are reserved');

export const definitionObject = z.strictObject({
  name: imageName,
  description: z.string().max(1024).optional(),
  kind: z
    .enum(['hardened', 'reference'])
    .default('hardened')
    .describe('"reference" images are unhardened look-alikes built only to compare against.'),
  distro: distroName,
  platforms: z.array(platform).min(1).default(['linux/amd64', 'linux/arm64']),
  tags: z.array(tag).default(['latest']),
  packages: z.array(packageSpec).min(1).describe('Root packages; their Depends/Pre-Depends closure is installed.'),
  exclude: z.array(packageName).default([]).describe('Dependencies deliberately not shipped.'),
  user: userRef.default('nonroot').describe('The account the image runs as (its run-as user).'),
  accounts,
  environment: environment.default({}),
  entrypoint: argv.optional(),
  cmd: z.array(z.string()).optional(),
  'work-dir': workDir.optional(),
  labels: labels.default({}),
  annotations: annotations.default({}),
  ports: ports.default([]),
  volumes: volumes.default([]),
  'stop-signal': stopSignal.optional(),
  'read-only-root': readOnlyRoot.default(false),
  'arbitrary-uid': arbitraryUid.default(false),
  compression: z
    .enum(['gzip', 'zstd'])
    .default('gzip')
    .describe(
      'Layer compression of every variant (one choice, so variants share layers): gzip (default, read by every ' +
        'runtime) or zstd (smaller and faster to build and pull; needs containerd 1.5+, Docker 23+, podman 3+).',
    ),
  'size-budget': sizeBudget.optional(),
  'package-budget': packageBudget.optional(),
  paths: z.array(pathEntry).default([]),
  tests: z.array(imageTest).default([]),
  shell: shellFlag.default(false),
  'package-manager': pmFlag.default(false),
  variants: z.record(variantName, variantOverlay).default({}),
  catalog: CatalogInfo.optional(),
});

type DefinitionInput = z.output<typeof definitionObject>;

/** The image definition: parse `unknown` (the YAML document) with `Definition.safeParse`. */
// The cross-field checks run inside the transform on purpose: a pipe runs only once every field parsed, so
// the checks can trust the field types (a superRefine would also run over half-parsed values).
export const Definition = definitionObject
  .transform((d, ctx) => {
    checkConsistency(d, ctx);
    return {
      ...pick(d, ['name', 'description', 'kind', 'distro', 'platforms', 'tags', 'packages', 'exclude', 'user']),
      ...pick(d, ['accounts', 'environment', 'entrypoint', 'cmd', 'labels', 'annotations', 'ports', 'volumes']),
      ...pick(d, ['paths', 'tests', 'shell']),
      ...(d['work-dir'] === undefined ? {} : { workdir: d['work-dir'] }),
      ...(d['stop-signal'] === undefined ? {} : { stopSignal: d['stop-signal'] }),
      ...(d['size-budget'] === undefined ? {} : { sizeBudget: d['size-budget'] }),
      ...(d['package-budget'] === undefined ? {} : { packageBudget: d['package-budget'] }),
      packageManager: d['package-manager'],
      readOnlyRoot: d['read-only-root'],
      arbitraryUid: d['arbitrary-uid'],
      compression: d.compression,
      variants: d.variants,
      ...(d.catalog === undefined ? {} : { catalog: d.catalog }),
    };
  })
  .meta({ title: 'Ironclad image definition', description: 'One image and its variants (image.yaml).' });

export type Definition = z.output<typeof Definition>;
export type DefinitionPath = Definition['paths'][number];
export type DefinitionAccounts = Definition['accounts'];
export type VariantOverlay = Definition['variants'][string];

type Path = (string | number)[];

/** Cross-field rules that one field's schema cannot express; each issue points at the offending field. */
function checkConsistency(d: DefinitionInput, ctx: z.core.$RefinementCtx<DefinitionInput>): void {
  const issue = (path: Path, message: string): void => {
    ctx.addIssue({ code: 'custom', path, message });
  };
  const unique = <T>(values: readonly T[], path: (i: number) => Path, message: string): void => {
    for (const i of duplicates(values)) issue(path(i), message);
  };
  const userNames = new Set([...Object.keys(BUILTIN_ACCOUNTS), ...d.accounts.users.map((u) => u.name)]);
  const groupNames = new Set([...Object.keys(BUILTIN_GROUPS), ...d.accounts.groups.map((g) => g.name)]);
  for (const u of d.accounts.users) if (!d.accounts.groups.some((g) => g.gid === u.gid)) groupNames.add(u.name);
  const checkUser = (user: string | undefined, path: Path): void => {
    if (user === undefined || parseNumericUser(user) || userNames.has(user)) return;
    issue(path, `user "${user}" is not nonroot, root, nobody, uid:gid, or a name declared in accounts.users`);
  };
  for (const i of accountIssues(d.accounts, BUILTIN_ACCOUNTS, BUILTIN_GROUPS)) issue(i.path, i.message);
  const known = { platforms: d.platforms, users: userNames, groups: groupNames };
  for (const i of pathIssues(d.paths, ['paths'], known)) issue(i.path, i.message);
  for (const [name, v] of Object.entries(d.variants)) {
    for (const i of pathIssues(v.paths ?? [], ['variants', name, 'paths'], known)) issue(i.path, i.message);
  }
  unique(d.platforms, (i) => ['platforms', i], 'duplicate platform');
  unique(d.tags, (i) => ['tags', i], 'duplicate tag');
  unique(
    d.packages.map((p) => p.name),
    (i) => ['packages', i],
    'package listed twice',
  );
  unique(
    d.tests.map((t) => t.name),
    (i) => ['tests', i, 'name'],
    'duplicate test name',
  );
  const wanted = new Set(d.packages.map((p) => p.name));
  for (const [i, n] of d.exclude.entries()) {
    if (wanted.has(n)) issue(['exclude', i], `"${n}" is both requested in packages and excluded`);
  }
  checkUser(d.user, ['user']);
  for (const [i, t] of d.tests.entries()) for (const u of testUsers(t)) checkUser(u.user, ['tests', i, ...u.path]);
  for (const [name, v] of Object.entries(d.variants)) {
    checkUser(v.user, ['variants', name, 'user']);
    for (const [i, t] of (v.tests ?? []).entries()) {
      for (const u of testUsers(t)) checkUser(u.user, ['variants', name, 'tests', i, ...u.path]);
    }
    const baseTests = new Set(d.tests.map((t) => t.name));
    for (const [i, n] of (v.dropTests ?? []).entries()) {
      if (!baseTests.has(n)) issue(['variants', name, 'drop-tests', i], `no base test is named "${n}"`);
    }
    const basePaths = new Set(d.paths.map((p) => p.path));
    for (const [i, n] of (v.dropPaths ?? []).entries()) {
      if (!basePaths.has(n)) issue(['variants', name, 'drop-paths', i], `no base paths entry is ${n}`);
    }
    const own = new Set((v.packages ?? []).map((p) => p.name));
    for (const [i, n] of (v.exclude ?? []).entries()) {
      if (own.has(n)) issue(['variants', name, 'exclude', i], `"${n}" is both added and excluded by this variant`);
    }
  }
}

/** Indices of the second and later occurrences of a value. */
function duplicates<T>(values: readonly T[]): number[] {
  const seen = new Set<T>();
  const out: number[] = [];
  for (const [i, v] of values.entries()) {
    if (seen.has(v)) out.push(i);
    seen.add(v);
  }
  return out;
}

/** Copies the listed keys whose value is defined, so optional fields stay absent (exactOptionalPropertyTypes). */
function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}
