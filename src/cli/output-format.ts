import { fail } from '../core/index.ts';

/** The `--format` of a verb that prints either text or its JSON document; anything else is USAGE. */
export function textOrJson(value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json') return 'json';
  return fail('USAGE', `--format ${value}: expected text or json`);
}
