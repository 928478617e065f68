import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { assemble } from '../../src/image/assemble.ts';
import type { FileNode, FileTree } from '../../src/image/file-tree.ts';
import { NSSWITCH_CONF } from '../../src/image/synthesize/nsswitch.ts';
import { synthesize } from '../../src/image/synthesize.ts';
import { pkg } from './in-memory-deb.ts';

const EPOCH = 1_700_000_000;
const distro = { id: 'debian', name: 'Debian GNU/Linux', versionId: '12', versionCodename: 'bookworm' };

function build(
  kind: 'runtime' | 'dev',
  packages = [pkg('base-files', [{ file: 'usr/lib/os-release', content: 'x' }])],
) {
  return synthesize(assemble(packages, { stripSetuid: kind === 'runtime', epoch: EPOCH }), {
    image: 'static',
    distro,
    accounts: [{ name: 'app', uid: 1000, gid: 1000, home: '/srv/app' }],
    kind,
    epoch: EPOCH,
  });
}

function at(tree: FileTree, path: string): FileNode {
  const n = tree.nodes.get(path);
  assert.ok(n !== undefined, `missing /${path}`);
  return n;
}

const text = (n: FileNode) => (n.type === 'file' ? Buffer.from(n.data).toString() : `<${n.type}>`);
const meta = (n: FileNode) => [n.type, n.mode, n.uid, n.gid, n.mtime, n.owners];

test('generated files and directories', () => {
  const tree = build('runtime');
  assert.deepEqual(meta(at(tree, 'tmp')), ['dir', 0o1777, 0, 0, EPOCH, []]);
  assert.deepEqual(meta(at(tree, 'root')), ['dir', 0o700, 0, 0, EPOCH, []]);
  assert.deepEqual(meta(at(tree, 'home/nonroot')), ['dir', 0o700, 65532, 65532, EPOCH, []]);
  assert.deepEqual(meta(at(tree, 'srv/app')), ['dir', 0o700, 1000, 1000, EPOCH, []]);
  assert.ok(!tree.nodes.has('nonexistent'));
  assert.match(text(at(tree, 'etc/passwd')), /^nonroot:x:65532:65532:nonroot:\/home\/nonroot:\/usr\/sbin\/nologin$/m);
  assert.equal(text(at(tree, 'etc/nsswitch.conf')), NSSWITCH_CONF);
  assert.match(text(at(tree, 'usr/lib/os-release')), /^PRETTY_NAME="Ironclad static/);
  const link = at(tree, 'etc/os-release');
  assert.ok(link.type === 'symlink');
  assert.equal(link.target, '../usr/lib/os-release');
  assert.ok(!tree.nodes.has('etc/ssl/certs/ca-certificates.crt'), 'no bundle without ca-certificates');
  const keys = [...tree.nodes.keys()];
  assert.deepEqual(keys, [...keys].sort(), 'nodes stay sorted');
});

test('dev variants give root a shell', () => {
  assert.match(text(at(build('dev'), 'etc/passwd')), /^root:x:0:0:root:\/root:\/bin\/bash$/m);
});

test('status.d: a stanza per package and md5sums of the files as finally shipped', () => {
  const tree = build('runtime', [
    pkg('base-files', [
      { file: 'usr/lib/os-release', content: 'replaced' },
      { file: 'etc/debian_version', content: '12.5\n' },
    ]),
    pkg('ca-certificates', [{ file: 'usr/share/ca-certificates/mozilla/a.crt', content: 'A' }]),
  ]);
  assert.match(
    text(at(tree, 'var/lib/dpkg/status.d/base-files')),
    /^Package: base-files\nStatus: install ok installed\n/,
  );
  const md5 = createHash('md5').update('12.5\n').digest('hex');
  assert.equal(text(at(tree, 'var/lib/dpkg/status.d/base-files.md5sums')), `${md5}  etc/debian_version\n`);
  assert.ok(tree.nodes.has('var/lib/dpkg/status.d/ca-certificates.md5sums'));
  assert.equal(text(at(tree, 'etc/ssl/certs/ca-certificates.crt')), 'A\n');
  const cert = at(tree, 'usr/lib/ssl/cert.pem');
  assert.ok(cert.type === 'symlink');
  assert.equal(cert.target, '/etc/ssl/certs/ca-certificates.crt');
});
