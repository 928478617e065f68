import { open, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { fail, IroncladError, wrapError } from '../core/index.ts';
import { documentDigest } from './canonical.ts';
import { buildRelevant } from './catalog-info.ts';
import { baseLocation, Customization, isCustomizationDocument, mergeCustomization } from './extends.ts';
import type { ImageBase, ImageBaseResolver } from './image-base.ts';
import { imageBaseDefinition } from './image-base-load.ts';
import { suggestKeys } from './key-suggestions.ts';
import type { PathSpec } from './paths-schema.ts';
import { type IssueLocation, positionOf } from './positions.ts';
import { Definition } from './schema.ts';

/** File name looked up when `loadDefinition` is given a directory. */
export const DEFINITION_FILE = 'image.yaml';
/** A definition is hand-written YAML; anything bigger is a mistake or hostile. */
export const MAX_DEFINITION_BYTES = 1024 * 1024;
/** Where editors and users find the full schema; named in every DEFINITION_INVALID hint. */
const SCHEMA_HINT = 'see schema/definition.schema.json for every field the definition accepts';
/** Caps on what one error message lists, so a garbage file cannot produce a megabyte of output. */
const MAX_REPORTED = 50;
/** How many `extends:` links a chain may have: a customization of a customization is fine, a loop is not. */
const MAX_EXTENDS_DEPTH = 8;

/** A definition as loaded from disk. */
export interface LoadedDefinition {
  /** Absolute path of the YAML file. */
  readonly path: string;
  /** Directory containing it (where the lockfile lives). */
  readonly dir: string;
  /** The YAML document as plain JSON data, before defaults and transforms. */
  readonly raw: unknown;
  readonly definition: Definition;
  /**
   * `sha256:<hex>` of the canonical JSON of `raw` without its `catalog:` block: unchanged by comments, formatting
   * and catalog text, changed by anything that changes the build. For a customization it also covers the base's
   * digest, so a change of the base makes the customization's lock stale too.
   */
  readonly digest: string;
  /** Set when the document `extends:` another definition (docs/customization.md). */
  readonly extends?: Extension;
}

/** What a customization adds to its base, besides the merged `definition`. */
export interface Extension {
  /** The `extends:` value as written. */
  readonly ref: string;
  readonly base: LoadedDefinition;
  /** The paths the customization itself declares (top level and variants): their `source` files are beside it. */
  readonly ownPaths: readonly PathSpec[];
  /** Set when the base is a published image (`extends: {image, key}`), verified by the resolver. */
  readonly image?: ImageBase;
}

export interface LoadOptions {
  /**
   * Fetches and verifies a published base image (`extends: {image, key}`). Commands that build on one (lock,
   * build) pass it; without it such a customization is refused (USAGE).
   */
  readonly imageBase?: ImageBaseResolver;
}

/**
 * Loads and validates a definition from an image directory (reading its `image.yaml`) or a YAML file.
 * Every YAML syntax error and every schema error is reported at once, each as `file:line:col: message`, in one
 * DEFINITION_INVALID error (also for a file over {@link MAX_DEFINITION_BYTES} or not UTF-8). Throws NOT_FOUND
 * when the path does not exist, INVALID_INPUT when it cannot be read.
 */
export async function loadDefinition(
  pathOrDir: string,
  opts: LoadOptions = {},
  chain: readonly string[] = [],
): Promise<LoadedDefinition> {
  const path = await definitionPath(resolve(pathOrDir));
  const text = await readLimited(path);
  const parsed = parseYaml(text, path);
  if (isCustomizationDocument(parsed.raw)) return loadCustomization(parsed, path, opts, chain);
  const { raw, data: definition } = validate(parsed, Definition, path);
  return { path, dir: dirname(path), raw, definition, digest: documentDigest(buildRelevant(raw)) };
}

/**
 * A customization: checked on its own (positions in its file), its base loaded (by name or path, following the
 * chain), then merged with the base and checked again as a whole definition.
 */
async function loadCustomization(
  parsed: ParsedYaml,
  path: string,
  opts: LoadOptions,
  chain: readonly string[],
): Promise<LoadedDefinition> {
  const own = validate(parsed, Customization, path).data;
  const dir = dirname(path);
  const ref = own.extends;
  let image: ImageBase | undefined;
  let base: LoadedDefinition;
  if (typeof ref === 'string') base = await loadBaseDefinition(ref, path, opts, chain);
  else ({ image, base } = await imageBaseDefinition(ref, path, opts.imageBase));
  const result = mergeCustomization(base.raw as Record<string, unknown>, parsed.raw as Record<string, unknown>);
  if ('problems' in result)
    invalid(
      path,
      result.problems.map((p) => `${path}: ${p}`),
    );
  const merged = Definition.safeParse(result.merged);
  if (!merged.success) {
    invalid(
      path,
      merged.error.issues.map(
        (i) =>
          `${path}: with base ${base.definition.name}: ${i.path.map(String).join('.') || '(top level)'}: ${i.message}`,
      ),
    );
  }
  const ownPaths = [...(own.paths ?? []), ...Object.values(own.variants ?? {}).flatMap((v) => v.paths ?? [])];
  return {
    path,
    dir,
    raw: result.merged,
    definition: merged.data,
    // `parsed.raw` holds the `extends:` value, so a published base pinned at another digest makes the lock stale.
    digest: documentDigest({ customization: buildRelevant(parsed.raw), base: base.digest }),
    extends: { ref: typeof ref === 'string' ? ref : ref.image, base, ownPaths, ...(image !== undefined && { image }) },
  };
}

/** The base definition a customization names by folder or path, following the chain (loops refused). */
async function loadBaseDefinition(
  ref: string,
  path: string,
  opts: LoadOptions,
  chain: readonly string[],
): Promise<LoadedDefinition> {
  const dir = dirname(path);
  if (chain.includes(path) || chain.length >= MAX_EXTENDS_DEPTH) {
    fail('DEFINITION_INVALID', `${path}: extends: the chain ${[...chain, path].join(' → ')} loops or is too deep`, {
      hint: `a customization extends a definition that does not extend it back (at most ${MAX_EXTENDS_DEPTH} links)`,
    });
  }
  return loadDefinition(baseLocation(ref, dir), opts, [...chain, path]).catch((err: unknown) => {
    if (err instanceof IroncladError && err.code === 'NOT_FOUND') {
      throw new IroncladError('DEFINITION_INVALID', `${path}: extends: ${ref}: ${err.message}`, {
        hint: looksLikeImage(ref)
          ? 'a published image is given with the key it must verify with: extends: {image: REF@sha256:..., key: FILE}'
          : 'name a folder of images/ ("python") or a path relative to this file\'s folder ("../python")',
        cause: err,
      });
    }
    throw err;
  });
}

/** `host:port/repo:tag`, `host.domain/repo`, or anything pinned by digest: meant as an image, not a folder. */
function looksLikeImage(ref: string): boolean {
  const first = ref.split('/')[0] ?? '';
  return (
    ref.includes('@sha256:') ||
    (ref.includes('/') && (first.includes('.') || first.includes(':')) && !first.startsWith('.'))
  );
}

/**
 * Parses definition text; `path` is used only in messages. Pure, so tests and tools can validate text that
 * is not on disk. Throws DEFINITION_INVALID listing every problem: all syntax errors, else all field errors;
 * cross-field rules (declared users, duplicates, package both wanted and excluded) are checked once every
 * field is well-formed, because they read the parsed fields.
 */
export function parseDefinition(text: string, path: string): { raw: unknown; definition: Definition } {
  const { raw, data } = validate(parseYaml(text, path), Definition, path);
  return { raw, definition: data };
}

interface ParsedYaml {
  readonly doc: ReturnType<typeof parseDocument>;
  readonly lines: LineCounter;
  readonly raw: unknown;
}

/** YAML text to plain data, every syntax error reported at once. */
function parseYaml(text: string, path: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, schema: 'core', uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
      return `${path}:${pos.line}:${pos.col}: ${firstLine(e.message)}`;
    });
    invalid(path, problems);
  }
  let raw: unknown;
  try {
    // maxAliasCount bounds alias expansion ("billion laughs"): a definition has no reason to alias much.
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    fail('DEFINITION_INVALID', `${path}: ${err instanceof Error ? err.message : String(err)}`, {
      hint: SCHEMA_HINT,
      cause: err,
    });
  }
  return { doc, lines, raw: raw ?? {} };
}

/** Checks the document against `schema`, each problem at its `file:line:col`. */
function validate<S extends z.ZodType>(
  parsed: ParsedYaml,
  schema: S,
  path: string,
): { raw: unknown; data: z.output<S> } {
  const result = schema.safeParse(parsed.raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const pos = positionOf(parsed.doc, parsed.lines, issueLocation(issue));
      const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
      return `${path}:${pos.line}:${pos.column}: ${where}${issueMessage(issue)}`;
    });
    invalid(path, problems);
  }
  return { raw: parsed.raw, data: result.data };
}

/** Key problems (unknown key, bad record key) point at the key itself; all others at the value. */
function issueLocation(issue: z.core.$ZodIssue): IssueLocation {
  if (issue.code === 'unrecognized_keys') return { path: issue.path, keys: issue.keys };
  const last = issue.path.at(-1);
  if (issue.code === 'invalid_key' && last !== undefined)
    return { path: issue.path.slice(0, -1), keys: [String(last)] };
  return { path: issue.path };
}

/** zod's message for a bad record key is generic; the nested issue says what a key must look like. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return unknownKeysMessage(issue.path, issue.keys);
  if (issue.code !== 'invalid_key') return issue.message;
  return `${issue.message}: ${issue.issues.map((i) => i.message).join('; ')}`;
}

/** `unknown key "workdir" (did you mean "work-dir"?)`, one clause per key. */
function unknownKeysMessage(path: readonly PropertyKey[], keys: readonly string[]): string {
  const parts = keys.map((k) => {
    const close = suggestKeys(path, k);
    return close.length === 0 ? `"${k}"` : `"${k}" (did you mean ${close.map((c) => `"${c}"`).join(' or ')}?)`;
  });
  return `unknown ${keys.length === 1 ? 'key' : 'keys'} ${parts.join(', ')}`;
}

function invalid(path: string, problems: readonly string[]): never {
  const shown = problems.slice(0, MAX_REPORTED);
  const more = problems.length > shown.length ? `\n  ... and ${problems.length - shown.length} more` : '';
  const noun = problems.length === 1 ? 'problem' : 'problems';
  throw new IroncladError(
    'DEFINITION_INVALID',
    `${path}: ${problems.length} ${noun} in the image definition:\n  ${shown.join('\n  ')}${more}`,
    { hint: SCHEMA_HINT },
  );
}

/** yaml's messages repeat the position and a source excerpt after the first line; we print our own position. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

async function definitionPath(path: string): Promise<string> {
  const info = await stat(path).catch((err: unknown) =>
    fail('NOT_FOUND', `no image definition at ${path}`, {
      hint: `pass an image directory containing ${DEFINITION_FILE}, or a YAML file`,
      cause: err,
    }),
  );
  if (!info.isDirectory()) return path;
  const file = join(path, DEFINITION_FILE);
  await stat(file).catch((err: unknown) =>
    fail('NOT_FOUND', `${path} has no ${DEFINITION_FILE}`, { hint: 'an image directory holds image.yaml', cause: err }),
  );
  return file;
}

/** Reads at most MAX_DEFINITION_BYTES + 1 bytes, so an oversized file is refused without reading it whole. */
async function readLimited(path: string): Promise<string> {
  const fh = await open(path, 'r').catch((err: unknown) => {
    throw wrapError(err, 'INVALID_INPUT', `reading ${path}`);
  });
  try {
    const buf = Buffer.alloc(MAX_DEFINITION_BYTES + 1);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > MAX_DEFINITION_BYTES) {
      fail('DEFINITION_INVALID', `${path} is larger than ${MAX_DEFINITION_BYTES} bytes`, {
        hint: 'a definition is a short YAML file; check that the right file was given',
      });
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, n));
    } catch (err) {
      return fail('DEFINITION_INVALID', `${path} is not UTF-8 text`, { hint: SCHEMA_HINT, cause: err });
    }
  } finally {
    await fh.close();
  }
}
