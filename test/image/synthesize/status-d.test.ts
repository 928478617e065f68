import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { assemble } from '../../../src/image/assemble.ts';
import { md5sumsText, statusStanza } from '../../../src/image/synthesize/status-d.ts';
import { pkg } from '../in-memory-deb.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

test('status stanza: control fields with Status after Package', () => {
  const tree = assemble([pkg('tool', [{ file: 'usr/bin/tool' }])], { stripSetuid: true, epoch: 1 });
  assert.equal(
    statusStanza(tree.packages[0]!),
    'Package: tool\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n' +
      'Maintainer: T <t@example.org>\nDescription: tool\n test\n',
  );
});

test('md5sums are recomputed from the shipped bytes, at merged-/usr paths, without stripped files', () => {
  const tree = assemble(
    [
      pkg('tool', [
        { file: 'bin/tool', content: 'b' },
        { file: 'usr/lib/tool/a', content: 'a' },
        { hardlink: 'usr/lib/tool/c', to: 'usr/lib/tool/a' },
        { file: 'usr/share/doc/tool/copyright', content: 'c' },
        { file: 'usr/share/doc/tool/changelog.gz', content: 'gone' },
        { link: 'usr/bin/t', to: 'tool' },
      ]),
      pkg('other', [{ file: 'usr/bin/other', content: 'o' }]),
    ],
    { stripSetuid: true, epoch: 1 },
  );
  assert.equal(
    md5sumsText(tree, 'tool'),
    `${md5('b')}  usr/bin/tool\n${md5('a')}  usr/lib/tool/a\n${md5('a')}  usr/lib/tool/c\n` +
      `${md5('c')}  usr/share/doc/tool/copyright\n`,
  );
  assert.equal(md5sumsText(tree, 'nothing'), '');
});
