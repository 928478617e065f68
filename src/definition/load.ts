import { open, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { fail, IroncladError, wrapError } from '../core/index.ts';
import { documentDigest } from './canonical.ts';
import { buildRelevant } from './catalog-info.ts';
import { suggestKeys } from './key-suggestions.ts';
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
   * and catalog text, changed by anything that changes the build.
   */
  readonly digest: string;
}

/**
 * Loads and validates a definition from an image directory (reading its `image.yaml`) or a YAML file.
 * Every YAML syntax error and every schema error is reported at once, each as `file:line:col: message`, in one
 * DEFINITION_INVALID error (also for a file over {@link MAX_DEFINITION_BYTES} or not UTF-8). Throws NOT_FOUND
 * when the path does not exist, INVALID_INPUT when it cannot be read.
 */
export async function loadDefinition(pathOrDir: string): Promise<LoadedDefinition> {
  const path = await definitionPath(resolve(pathOrDir));
  const text = await readLimited(path);
  const { raw, definition } = parseDefinition(text, path);
  return { path, dir: dirname(path), raw, definition, digest: documentDigest(buildRelevant(raw)) };
}

/**
 * Parses definition text; `path` is used only in messages. Pure, so tests and tools can validate text that
 * is not on disk. Throws DEFINITION_INVALID listing every problem: all syntax errors, else all field errors;
 * cross-field rules (declared users, duplicates, package both wanted and excluded) are checked once every
 * field is well-formed, because they read the parsed fields.
 */
export function parseDefinition(text: string, path: string): { raw: unknown; definition: Definition } {
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
  const parsed = Definition.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const pos = positionOf(doc, lines, issueLocation(issue));
      const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
      return `${path}:${pos.line}:${pos.column}: ${where}${issueMessage(issue)}`;
    });
    invalid(path, problems);
  }
  return { raw, definition: parsed.data };
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
