import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineCounter, parseDocument } from 'yaml';
import { positionOf } from '../../src/definition/positions.ts';

const text = [
  'name: demo',
  'base: &base',
  '  user: root',
  'variants:',
  '  dev: *base',
  'list:',
  '  - a',
  '  - b',
  '',
].join('\n');
const lines = new LineCounter();
const doc = parseDocument(text, { lineCounter: lines });

test('positionOf maps document paths to 1-based line and column', () => {
  const table: [readonly PropertyKey[], readonly string[] | undefined, string][] = [
    [[], undefined, '1:1'],
    [['name'], undefined, '1:7'],
    [['list', 1], undefined, '8:5'],
    [['list', 9], undefined, '7:3'],
    [['missing'], undefined, '1:1'],
    [['base'], ['user'], '3:3'],
    [['variants', 'dev', 'user'], undefined, '3:9'],
  ];
  for (const [path, keys, want] of table) {
    const pos = positionOf(doc, lines, keys === undefined ? { path } : { path, keys });
    assert.equal(`${pos.line}:${pos.column}`, want, JSON.stringify(path));
  }
});
