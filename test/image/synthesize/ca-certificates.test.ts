import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assemble } from '../../../src/image/assemble.ts';
import { caBundle } from '../../../src/image/synthesize/ca-certificates.ts';
import { pkg } from '../in-memory-deb.ts';

const OPTS = { stripSetuid: true, epoch: 1 };

test('the bundle concatenates every .crt in C sort order, adding missing final newlines', () => {
  const tree = assemble(
    [
      pkg('ca-certificates', [
        { file: 'usr/share/ca-certificates/mozilla/b.crt', content: 'B\n' },
        { file: 'usr/share/ca-certificates/mozilla/AC_RAIZ.crt', content: 'R' },
        { file: 'usr/share/ca-certificates/mozilla/ACCVRAIZ1.crt', content: 'A\n' },
        { file: 'usr/share/ca-certificates/mozilla/readme.txt', content: 'not a cert' },
      ]),
      pkg('extra-certs', [{ file: 'usr/share/ca-certificates/local/z.crt', content: 'Z\n' }]),
    ],
    OPTS,
  );
  assert.equal(Buffer.from(caBundle(tree)!).toString(), 'Z\nA\nR\nB\n');
});

test('no bundle without the ca-certificates package', () => {
  const tree = assemble([pkg('x', [{ file: 'usr/share/ca-certificates/a.crt' }])], OPTS);
  assert.equal(caBundle(tree), undefined);
});
