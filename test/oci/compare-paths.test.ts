import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparePaths } from '../../src/oci/index.ts';

test('comparePaths orders paths as their UTF-8 bytes, characters past U+FFFF and lone surrogates included', () => {
  const paths = [
    '',
    'a',
    'a/b',
    'a-b',
    'a.b',
    'ab',
    'usr/bin',
    'usr/bin/env',
    'usr/bin/python3.11',
    'usr/lib/x86_64-linux-gnu',
    'é',
    'e\u0301',
    '\u00ff',
    '\u07ff',
    '\u0800',
    '\ud7ff',
    '\ue000',
    '\uffff',
    '\ufffd',
    '\u{1f600}',
    '\u{10000}',
    'x\u{1f600}y',
    'x\ue000',
    'x\ud800',
    'x\udc00',
    'x\ud800\udc00',
  ];
  const sign = (n: number) => Math.sign(n);
  for (const a of paths) {
    for (const b of paths) {
      const bytes = sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
      assert.equal(sign(comparePaths(a, b)), bytes, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  }
});
