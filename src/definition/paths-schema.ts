import { z } from 'zod';
import type { FieldIssue } from './accounts-schema.ts';
import { absolutePath, fileMode, platform } from './fields.ts';

/**
 * The `paths` entries of a definition: directories, files, symlinks and deletions the build applies to the
 * assembled tree after the packages are installed (so they can replace a package's config file or remove one),
 * before the generated files (accounts, CA bundle, package database) are written.
 */

/**
 * `user[:group]` as chown(1) takes it: each part a declared or built-in account name, or a number. Without a
 * group, a named user's primary group is used (a bare number means the same number as gid). Names are checked
 * against the accounts by the definition schema; the build resolves them.
 */
export const ownerRef = z
  .string()
  .regex(
    /^([a-z_][a-z0-9_-]{0,31}|\d{1,10})(:([a-z_][a-z0-9_-]{0,31}|\d{1,10}))?$/,
    'user[:group], each a name or a number',
  )
  .describe('Owner as "user[:group]" (names or numbers, as chown takes them); defaults to root:root.');

/** A file beside the definition, relative to its directory; it may not climb out of it. */
const sourceFile = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[^/\0][^\0]*$/, 'a path relative to the definition directory')
  .refine((p) => !p.split('/').some((s) => s === '..' || s === '.' || s === ''), 'no "", "." or ".." segments')
  .describe('File beside the definition (relative to its directory) whose bytes the image gets.');

const sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits')
  .describe('sha256 of the source file; the build refuses a file that does not match (exit 3).');

const common = {
  path: absolutePath,
  platforms: z
    .array(platform)
    .min(1)
    .optional()
    .describe('Apply only on these platforms (default: every platform of the image).'),
};

const mode = fileMode.optional();

const dirEntry = z
  .strictObject({
    ...common,
    type: z.literal('dir'),
    mode: mode.describe('Octal mode as a quoted string; default "0755".'),
    owner: ownerRef.optional(),
  })
  .describe('A directory (its parents are created root-owned, 0755, when missing).');

const fileEntry = z
  .strictObject({
    ...common,
    type: z.literal('file'),
    mode: mode.describe('Octal mode as a quoted string; default "0644".'),
    owner: ownerRef.optional(),
    content: z.string().max(1048576).optional().describe('Inline content (UTF-8).'),
    source: sourceFile.optional(),
    sha256: sha256Hex.optional(),
  })
  .describe('A regular file: inline `content`, or a `source` file beside the definition pinned by `sha256`.');

const symlinkEntry = z
  .strictObject({
    ...common,
    type: z.literal('symlink'),
    target: z
      .string()
      .min(1)
      .max(4096)
      .regex(/^[^\0]+$/, 'a link target')
      .describe('What the link points to.'),
    owner: ownerRef.optional(),
  })
  .describe('A symbolic link (e.g. a log file pointing at /dev/stdout).');

const deleteEntry = z
  .strictObject({ ...common, type: z.literal('delete') })
  .describe('Removes a path a package shipped (a directory with everything under it).');

/** One `paths` entry as written; `type` says which kind. */
export const pathEntry = z
  .discriminatedUnion('type', [dirEntry, fileEntry, symlinkEntry, deleteEntry])
  .superRefine((p, ctx) => {
    if (p.type !== 'file') return;
    if (p.content !== undefined && p.source !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['source'], message: 'use either content or source, not both' });
    }
    if (p.content === undefined && p.source === undefined) {
      ctx.addIssue({ code: 'custom', path: ['content'], message: 'a file needs content or a source' });
    }
    if ((p.source === undefined) !== (p.sha256 === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['sha256'],
        message: 'a source file is pinned by its sha256 (and only then)',
      });
    }
  })
  .transform(toPathSpec)
  .describe('A directory, file, symlink or deletion applied to the image after its packages.');

/** A `paths` entry with defaults applied: modes are numbers, files say where their bytes come from. */
export type PathSpec =
  | {
      readonly type: 'dir';
      readonly path: string;
      readonly mode: number;
      readonly owner: string;
      readonly platforms?: readonly string[];
    }
  | ({
      readonly type: 'file';
      readonly path: string;
      readonly mode: number;
      readonly owner: string;
      readonly platforms?: readonly string[];
    } & ({ readonly content: string } | { readonly source: string; readonly sha256: string }))
  | {
      readonly type: 'symlink';
      readonly path: string;
      readonly target: string;
      readonly owner: string;
      readonly platforms?: readonly string[];
    }
  | { readonly type: 'delete'; readonly path: string; readonly platforms?: readonly string[] };

function toPathSpec(
  p: z.output<typeof dirEntry | typeof fileEntry | typeof symlinkEntry | typeof deleteEntry>,
): PathSpec {
  const base = { path: p.path, ...(p.platforms === undefined ? {} : { platforms: p.platforms }) };
  switch (p.type) {
    case 'dir':
      return { ...base, type: 'dir', mode: p.mode ?? 0o755, owner: p.owner ?? 'root' };
    case 'file': {
      const bytes =
        p.source !== undefined && p.sha256 !== undefined
          ? { source: p.source, sha256: p.sha256 }
          : { content: p.content ?? '' };
      return { ...base, type: 'file', mode: p.mode ?? 0o644, owner: p.owner ?? 'root', ...bytes };
    }
    case 'symlink':
      return { ...base, type: 'symlink', target: p.target, owner: p.owner ?? 'root' };
    case 'delete':
      return { ...base, type: 'delete' };
  }
}

/**
 * Cross-field rules of `paths` (`at` is where the list sits in the document): each entry's platforms are the
 * image's, owner names are declared, and no two entries that apply to the same platform name the same path.
 */
export function pathIssues(
  paths: readonly PathSpec[],
  at: (string | number)[],
  known: { platforms: readonly string[]; users: ReadonlySet<string>; groups: ReadonlySet<string> },
): FieldIssue[] {
  const out: FieldIssue[] = [];
  const seen = new Map<string, Set<string>>();
  for (const [i, p] of paths.entries()) {
    const platforms = p.platforms ?? known.platforms;
    for (const [j, pl] of (p.platforms ?? []).entries()) {
      if (!known.platforms.includes(pl))
        out.push({ path: [...at, i, 'platforms', j], message: `${pl} is not a platform of the image` });
    }
    const taken = seen.get(p.path) ?? new Set<string>();
    if (platforms.some((pl) => taken.has(pl))) out.push({ path: [...at, i, 'path'], message: 'duplicate path' });
    for (const pl of platforms) taken.add(pl);
    seen.set(p.path, taken);
    if (p.type === 'delete') continue;
    const [user = '', group] = p.owner.split(':');
    if (!/^\d+$/.test(user) && !known.users.has(user))
      out.push({ path: [...at, i, 'owner'], message: `user "${user}" is not declared` });
    if (group !== undefined && !/^\d+$/.test(group) && !known.groups.has(group)) {
      out.push({ path: [...at, i, 'owner'], message: `group "${group}" is not declared` });
    }
  }
  return out;
}
