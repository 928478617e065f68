import { z } from 'zod';
import { CatalogInfo } from './catalog-info.ts';
import {
  absolutePath,
  argv,
  BUILTIN_ACCOUNTS,
  distroName,
  envName,
  fileMode,
  id,
  imageName,
  packageName,
  packageSpec,
  parseNumericUser,
  platform,
  sizeBudget,
  tag,
  tagsSuffix,
  userRef,
} from './fields.ts';
import { imageTest, testUsers } from './tests-schema.ts';

/**
 * The image definition schema: the authority on what `image.yaml` may contain (DESIGN.md, Definitions).
 * Keys are kebab-case in YAML; `.transform` turns the parsed document into the camelCase model below in the
 * same pass. Every object is strict, so a misspelt key is an error rather than a silently ignored setting.
 */

const environment = z.record(envName, z.string().max(65536)).describe('Environment variables of the image config.');
const labels = z
  .record(z.string().min(1).max(1024), z.string().max(65536))
  .describe('OCI config labels (org.opencontainers.image.* are added by the builder).');

const account = z
  .strictObject({
    name: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a POSIX account name (lowercase, at most 32 characters)'),
    uid: id,
    gid: id,
    home: absolutePath,
    shell: absolutePath.optional().describe('Login shell; defaults to /usr/sbin/nologin.'),
  })
  .describe('An extra user, created with a primary group of the same name and gid.');

const pathEntry = z
  .strictObject({
    path: absolutePath,
    type: z.enum(['dir', 'file']),
    mode: fileMode.optional().describe('Octal mode as a quoted string; defaults to "0755" for dirs, "0644" for files.'),
    uid: id.default(0),
    gid: id.default(0),
    content: z.string().max(1048576).optional().describe('File content (files only).'),
  })
  .superRefine((p, ctx) => {
    if (p.type === 'dir' && p.content !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['content'], message: 'a dir has no content' });
    }
  })
  .transform((p) => ({
    path: p.path,
    type: p.type,
    mode: p.mode ?? (p.type === 'dir' ? 0o755 : 0o644),
    uid: p.uid,
    gid: p.gid,
    ...(p.type === 'file' ? { content: p.content ?? '' } : {}),
  }))
  .describe('A directory or file the image gets in addition to its packages.');

const shellFlag = z.boolean().describe('The image deliberately contains a shell (compliance checks allow it).');
const pmFlag = z.boolean().describe('The image deliberately contains a package manager (compliance checks allow it).');

const variantOverlay = z
  .strictObject({
    description: z.string().max(1024).optional(),
    packages: z.array(packageSpec).optional().describe('Packages added to the base list.'),
    exclude: z.array(packageName).optional().describe('Names added to the base exclude list.'),
    user: userRef.optional(),
    environment: environment.optional().describe('Merged over the base environment.'),
    entrypoint: argv.optional(),
    cmd: z.array(z.string()).optional(),
    workdir: absolutePath.optional(),
    labels: labels.optional().describe('Merged over the base labels.'),
    tests: z.array(imageTest).optional().describe('Tests added to the base tests.'),
    'tags-suffix': tagsSuffix.optional().describe('Defaults to "-<variant name>".'),
    'size-budget': sizeBudget.optional(),
    shell: shellFlag.optional(),
    'package-manager': pmFlag.optional(),
  })
  .transform((v) => ({
    ...pick(v, ['description', 'packages', 'exclude', 'user', 'environment', 'entrypoint', 'cmd', 'workdir']),
    ...pick(v, ['labels', 'tests', 'shell']),
    ...(v['tags-suffix'] === undefined ? {} : { tagsSuffix: v['tags-suffix'] }),
    ...(v['size-budget'] === undefined ? {} : { sizeBudget: v['size-budget'] }),
    ...(v['package-manager'] === undefined ? {} : { packageManager: v['package-manager'] }),
  }))
  .describe('An overlay on the base definition: lists are appended, records merged, scalars replaced.');

const variantName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lowercase letters, digits and "-"')
  .refine((n) => n !== 'runtime' && n !== 'all', '"runtime" and "all" are reserved');

const definitionObject = z.strictObject({
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
  user: userRef.default('nonroot'),
  accounts: z.array(account).default([]),
  environment: environment.default({}),
  entrypoint: argv.optional(),
  cmd: z.array(z.string()).optional(),
  workdir: absolutePath.optional(),
  labels: labels.default({}),
  'size-budget': sizeBudget.optional(),
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
      ...pick(d, ['accounts', 'environment', 'entrypoint', 'cmd', 'workdir', 'labels', 'paths', 'tests', 'shell']),
      ...(d['size-budget'] === undefined ? {} : { sizeBudget: d['size-budget'] }),
      packageManager: d['package-manager'],
      variants: d.variants,
      ...(d.catalog === undefined ? {} : { catalog: d.catalog }),
    };
  })
  .meta({ title: 'Ironclad image definition', description: 'One image and its variants (image.yaml).' });

export type Definition = z.output<typeof Definition>;
export type DefinitionPath = Definition['paths'][number];
export type DefinitionAccount = Definition['accounts'][number];
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
  const accountNames = new Set(d.accounts.map((a) => a.name));
  const checkUser = (user: string | undefined, path: Path): void => {
    if (user === undefined || parseNumericUser(user) || user in BUILTIN_ACCOUNTS || accountNames.has(user)) return;
    issue(path, `user "${user}" is not nonroot, root, uid:gid, or a name declared in accounts`);
  };
  for (const [i, a] of d.accounts.entries()) {
    if (a.name in BUILTIN_ACCOUNTS) issue(['accounts', i, 'name'], `"${a.name}" is a built-in account`);
    if (a.uid === 0 || a.uid === BUILTIN_ACCOUNTS.nonroot.uid) issue(['accounts', i, 'uid'], 'uid taken by built-in');
  }
  unique(
    d.accounts.map((a) => a.name),
    (i) => ['accounts', i, 'name'],
    'duplicate account',
  );
  unique(
    d.accounts.map((a) => a.uid),
    (i) => ['accounts', i, 'uid'],
    'duplicate uid',
  );
  unique(d.platforms, (i) => ['platforms', i], 'duplicate platform');
  unique(d.tags, (i) => ['tags', i], 'duplicate tag');
  unique(
    d.packages.map((p) => p.name),
    (i) => ['packages', i],
    'package listed twice',
  );
  unique(
    d.paths.map((p) => p.path),
    (i) => ['paths', i, 'path'],
    'duplicate path',
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
