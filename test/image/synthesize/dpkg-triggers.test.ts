import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIroncladError } from '../../../src/core/index.ts';
import type { AssembleInput } from '../../../src/image/assemble.ts';
import { assemble } from '../../../src/image/assemble.ts';
import type { FileNode } from '../../../src/image/file-tree.ts';
import {
  fileTriggersToActivate,
  parseTriggers,
  triggerInterestNodes,
} from '../../../src/image/synthesize/dpkg-triggers.ts';
import { pkg } from '../in-memory-deb.ts';

const EPOCH = 1_700_000_000;
const text = (n: FileNode | undefined) => (n?.type === 'file' ? Buffer.from(n.data).toString() : `<${n?.type}>`);

function withTriggers(input: AssembleInput, triggers: string): AssembleInput {
  const member = { name: 'triggers', mode: 0o644, data: new TextEncoder().encode(triggers) };
  return { ...input, deb: { ...input.deb, controlFiles: [member] } };
}

test('parseTriggers: directives, await options, comments; bad lines are INVALID_INPUT', () => {
  assert.deepEqual(
    parseTriggers('# c\ninterest-noawait ldconfig\n\nactivate /usr/share/man # x\ninterest-await y\n', 'p'),
    [
      { kind: 'interest', name: 'ldconfig', noawait: true },
      { kind: 'activate', name: '/usr/share/man', noawait: false },
      { kind: 'interest', name: 'y', noawait: false },
    ],
  );
  for (const bad of ['frobnicate x', 'interest', 'interest a b', 'interest /a//b']) {
    assert.throws(
      () => parseTriggers(bad, 'p'),
      (e) => isIroncladError(e) && e.code === 'INVALID_INPUT',
      bad,
    );
  }
});

test('interest files as dpkg --unpack leaves them; file triggers to replay are the existing paths', () => {
  const libcBin = withTriggers(
    pkg('libc-bin', [{ file: 'usr/sbin/ldconfig', content: 'x' }]),
    'interest-noawait ldconfig\n',
  );
  const man = withTriggers(
    pkg('man-db', [{ dir: 'usr/share/man' }]),
    'interest-noawait /usr/share/man\ninterest /usr/share/info\n',
  );
  const lib = withTriggers(
    pkg('libfoo', [{ file: 'usr/lib/libfoo.so.1', content: 'y' }]),
    'activate-noawait ldconfig\n',
  );
  const tree = assemble([libcBin, man, lib], { stripSetuid: true, epoch: EPOCH, strip: false });
  const nodes = new Map(triggerInterestNodes(tree, EPOCH).map((n) => [n.path, n]));
  assert.equal(
    text(nodes.get('var/lib/dpkg/triggers/File')),
    '/usr/share/man man-db/noawait\n/usr/share/info man-db\n',
  );
  assert.equal(text(nodes.get('var/lib/dpkg/triggers/ldconfig')), 'libc-bin/noawait\n');
  assert.equal(text(nodes.get('var/lib/dpkg/triggers/Unincorp')), '');
  assert.deepEqual(fileTriggersToActivate(tree), ['/usr/share/man']);
});
