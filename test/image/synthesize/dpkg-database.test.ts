import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { parseSingleParagraph } from '../../../src/debian/index.ts';
import { type AssembleInput, assemble } from '../../../src/image/assemble.ts';
import type { FileNode } from '../../../src/image/file-tree.ts';
import {
  DPKG_STATUS,
  dpkgDatabaseNodes,
  dpkgStatusStanza,
  fileListText,
  infoName,
} from '../../../src/image/synthesize/dpkg-database.ts';
import { synthesize } from '../../../src/image/synthesize.ts';
import { pkg } from '../in-memory-deb.ts';

const EPOCH = 1_700_000_000;
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const text = (n: FileNode | undefined) => (n?.type === 'file' ? Buffer.from(n.data).toString() : `<${n?.type}>`);

function withDeb(input: AssembleInput, extra: { conffiles?: string[]; control?: string }): AssembleInput {
  const controlText = extra.control ?? input.deb.controlText;
  return {
    ...input,
    deb: {
      ...input.deb,
      control: parseSingleParagraph(controlText),
      controlText,
      conffiles: extra.conffiles ?? [],
    },
  };
}

const bash = withDeb(
  pkg('bash', [
    { dir: 'bin' },
    { file: 'bin/bash', content: 'elf' },
    { dir: 'etc' },
    { file: 'etc/bash.bashrc', content: 'rc' },
    { file: 'usr/share/doc/bash/changelog.gz', content: 'stripped' },
    { link: 'bin/rbash', to: 'bash' },
  ]),
  { conffiles: ['/etc/bash.bashrc', '/etc/gone.conf'] },
);
const libc = withDeb(pkg('libc6', [{ dir: 'usr/lib' }, { file: 'usr/lib/libc.so.6', content: 'libc' }]), {
  control:
    'Package: libc6\nVersion: 2.36-9\nArchitecture: amd64\nMulti-Arch: same\nMaintainer: T <t@example.org>\n' +
    'Description: libc\n test\n',
});

function database() {
  const tree = assemble([libc, bash], { stripSetuid: true, epoch: EPOCH });
  const nodes = new Map(dpkgDatabaseNodes(tree, tree, { architecture: 'arm64', mtime: EPOCH }).map((n) => [n.path, n]));
  return { tree, nodes };
}

test('status: one installed stanza per package, sorted by name, conffiles before the description', () => {
  const { nodes } = database();
  assert.equal(
    text(nodes.get(DPKG_STATUS)),
    'Package: bash\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n' +
      `Maintainer: T <t@example.org>\nConffiles:\n /etc/bash.bashrc ${md5('rc')}\nDescription: bash\n test\n` +
      '\nPackage: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64\nMulti-Arch: same\n' +
      'Maintainer: T <t@example.org>\nDescription: libc\n test\n',
  );
});

test('info files: .list after merged-/usr with directories, md5sums without conffiles, conffiles present', () => {
  const { nodes } = database();
  assert.equal(
    text(nodes.get('var/lib/dpkg/info/bash.list')),
    // `/bin`: the package's archive paths go through the merged-/usr link, and dpkg lists it as theirs.
    '/.\n/bin\n/etc\n/etc/bash.bashrc\n/usr/bin\n/usr/bin/bash\n/usr/bin/rbash\n',
  );
  assert.equal(text(nodes.get('var/lib/dpkg/info/bash.md5sums')), `${md5('elf')}  usr/bin/bash\n`);
  assert.equal(text(nodes.get('var/lib/dpkg/info/bash.conffiles')), '/etc/bash.bashrc\n');
  // Multi-Arch: same packages are arch-qualified, as dpkg names their info files.
  assert.equal(text(nodes.get('var/lib/dpkg/info/libc6:amd64.list')), '/.\n/usr/lib\n/usr/lib/libc.so.6\n');
  assert.ok(!nodes.has('var/lib/dpkg/info/libc6:amd64.conffiles'));
});

test('the files dpkg expects: empty available, diversions, statoverride; arch; info format', () => {
  const { nodes } = database();
  const table: [string, string][] = [
    ['var/lib/dpkg/available', ''],
    ['var/lib/dpkg/diversions', ''],
    ['var/lib/dpkg/statoverride', ''],
    ['var/lib/dpkg/arch', 'arm64\n'],
    ['var/lib/dpkg/info/format', '1\n'],
  ];
  for (const [path, content] of table) assert.equal(text(nodes.get(path)), content, path);
  assert.equal(nodes.get('var/lib/dpkg/info')?.type, 'dir');
});

test('infoName and fileListText', () => {
  const tree = assemble([libc, bash], { stripSetuid: true, epoch: EPOCH });
  assert.deepEqual(
    tree.packages.map((p) => infoName(p)),
    ['bash', 'libc6:amd64'],
  );
  assert.equal(fileListText(['b', 'a/x', 'a']), '/.\n/a\n/a/x\n/b\n');
  assert.equal(fileListText([]), '/.\n');
});

test('stanza: an existing Status or Conffiles field is replaced, not repeated', () => {
  const control = 'Package: x\nStatus: deinstall ok config-files\nConffiles:\n /etc/x 00\nVersion: 1\n';
  const tree = assemble([withDeb(pkg('x', []), { control })], { stripSetuid: true, epoch: EPOCH });
  assert.equal(dpkgStatusStanza(tree.packages[0]!, []), 'Package: x\nStatus: install ok installed\nVersion: 1\n');
  assert.equal(
    dpkgStatusStanza(tree.packages[0]!, [{ path: '/etc/x', md5: 'ab' }]),
    'Package: x\nStatus: install ok installed\nVersion: 1\nConffiles:\n /etc/x ab\n',
  );
});

test('synthesize: dev images get the dpkg database and no status.d; runtime images only status.d', () => {
  const distro = { id: 'debian', name: 'Debian GNU/Linux', versionId: '12', versionCodename: 'bookworm' };
  const build = (kind: 'runtime' | 'dev') =>
    synthesize(assemble([libc, bash], { stripSetuid: true, epoch: EPOCH }), {
      image: 'x',
      distro,
      accounts: [],
      kind,
      epoch: EPOCH,
      architecture: 'amd64',
    });
  const dev = build('dev');
  assert.ok(dev.nodes.has(DPKG_STATUS));
  assert.ok(dev.nodes.has('var/lib/dpkg/info/bash.list'));
  assert.ok(![...dev.nodes.keys()].some((p) => p.startsWith('var/lib/dpkg/status.d')));
  assert.equal(
    text(dev.nodes.get('etc/shells')),
    '# /etc/shells: valid login shells\n/bin/bash\n/usr/bin/bash\n/bin/rbash\n/usr/bin/rbash\n',
  );
  const runtime = build('runtime');
  assert.ok(runtime.nodes.has('var/lib/dpkg/status.d/bash'));
  assert.ok(!runtime.nodes.has(DPKG_STATUS));
  assert.ok(!runtime.nodes.has('var/lib/dpkg/info/bash.list'));
  assert.ok(!runtime.nodes.has('etc/shells'));
});
