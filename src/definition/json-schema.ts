import { z } from 'zod';
import { Customization } from './extends.ts';
import { Definition } from './schema.ts';

/** Where the generated schema is committed, relative to the repository root. */
export const DEFINITION_SCHEMA_PATH = 'schema/definition.schema.json';

/**
 * The JSON Schema (draft 2020-12) of what a definition file may contain, generated from the zod schema's input
 * side, so editors (via `# yaml-language-server: $schema=...`) check the same rules `loadDefinition` enforces,
 * except the cross-field ones (duplicates, declared users, what a merged customization must satisfy) other than
 * which keys belong to a command test and which to a service test (stated in tests-schema.ts). A file is
 * either a definition or a customization (`extends:`, docs/customization.md); neither admits the other's keys, so
 * exactly one alternative matches a valid file. Returned as the exact text to commit: two-space
 * indentation and a trailing newline.
 */
export function definitionJsonSchemaText(): string {
  return `${JSON.stringify(definitionJsonSchema(), null, 2)}\n`;
}

let cached: Record<string, unknown> | undefined;

/** The same schema as a value, generated once per process (key suggestions walk it). */
export function definitionJsonSchema(): Record<string, unknown> {
  cached ??= documentSchema();
  return cached;
}

function documentSchema(): Record<string, unknown> {
  const opts = { io: 'input', target: 'draft-2020-12', unrepresentable: 'throw' } as const;
  // Neither schema uses $defs/$ref, so each can sit under anyOf as generated.
  const { $schema, title, description: _d, ...definition } = z.toJSONSchema(Definition, opts);
  const { $schema: _s, ...customization } = z.toJSONSchema(Customization, opts);
  return {
    $schema,
    title,
    description: 'One image and its variants (image.yaml), or a customization that extends a base and adds to it.',
    anyOf: [
      { title: 'Image definition', ...definition },
      {
        title: 'Customization',
        description:
          'Starts from a base (`extends:`) and adds to it; distro, platforms, kind, compression and exclude are inherited.',
        ...customization,
      },
    ],
  };
}
