import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IroncladError } from '../../src/core/index.ts';
import { globToRegExp } from '../../src/registry/mirror.ts';

test('tag globs: * and ? are wildcards, everything else is literal', () => {
  const table: [string, string, boolean][] = [
    ['*', 'anything-1.2', true],
    ['3.11*', '3.11-dev', true],
    ['3.11*', '3.12', false],
    ['v?', 'v1', true],
    ['v?', 'v10', false],
    ['1.2', '1x2', false],
    ['a+b', 'a+b', true],
    ['a+b', 'aab', false],
  ];
  for (const [glob, tag, expected] of table) assert.equal(globToRegExp(glob).test(tag), expected, `${glob} ~ ${tag}`);
  assert.throws(
    () => globToRegExp('*'.repeat(300)),
    (e: IroncladError) => e.code === 'USAGE',
  );
});
