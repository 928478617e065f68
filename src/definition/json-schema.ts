import { z } from 'zod';
import { Definition } from './schema.ts';

/** Where the generated schema is committed, relative to the repository root. */
export const DEFINITION_SCHEMA_PATH = 'schema/definition.schema.json';

/**
 * The JSON Schema (draft 2020-12) of what a definition file may contain, generated from the zod schema's input
 * side, so editors (via `# yaml-language-server: $schema=...`) check the same rules `loadDefinition` enforces,
 * except the cross-field ones (duplicates, declared users). Returned as the exact text to commit: two-space
 * indentation and a trailing newline.
 */
export function definitionJsonSchemaText(): string {
  return `${JSON.stringify(definitionJsonSchema(), null, 2)}\n`;
}

let cached: Record<string, unknown> | undefined;

/** The same schema as a value, generated once per process (key suggestions walk it). */
export function definitionJsonSchema(): Record<string, unknown> {
  cached ??= z.toJSONSchema(Definition, { io: 'input', target: 'draft-2020-12', unrepresentable: 'throw' });
  return cached;
}
