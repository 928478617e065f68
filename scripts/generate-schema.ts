/**
 * Writes schema/definition.schema.json from the zod definition schema. Run after changing the schema
 * (`npm run schema`); a test fails while the committed file is out of date.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFINITION_SCHEMA_PATH, definitionJsonSchemaText } from '../src/definition/json-schema.ts';

const target = join(import.meta.dirname, '..', DEFINITION_SCHEMA_PATH);
await writeFile(target, definitionJsonSchemaText());
process.stderr.write(`wrote ${DEFINITION_SCHEMA_PATH}\n`);
