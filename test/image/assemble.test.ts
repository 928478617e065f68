import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { type AssembleOptions, assemble } from '../../src/image/assemble.ts';
import type { FileNode } from '../../src/image/file-tree.ts';
import { pkg } from './in-memory-deb.ts';

const OPTS: AssembleOptions = { stripSetuid: true, epoch: 1_700_000_500 };

function node(tree: ReturnType<typeof assemble>, path: string): FileNode {
  const n = tree.nodes.get(path);
  assert.ok(n !== undefined, `missing /${path}`);
  return n;
}

function throwsCode(fn: () => unknown, code: string, ...mentions: string[]): void {
  assert.throws(fn, (err) => {
    assert.ok(isIroncladError(err), String(err));
    assert.equal(err.code, code);
    for (const m of mentions) assert.ok(err.message.includes(m), `message names ${m}: ${err.message}`);
    return true;
  });
}

test('bookworm layout: /bin, /lib and /lib64 paths land in usr/ behind merged-/usr links', () => {
  const tree = assemble(
    [
      pkg('libc6', [
        { dir: 'lib' },
        { dir: 'lib/x86_64-linux-gnu' },
        { file: 'lib/x86_64-linux-gnu/libc.so.6', mode: 0o755 },
        { file: 'lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', mode: 0o755 },
        { dir: 'lib64' },
        { link: 'lib64/ld-linux-x86-64.so.2', to: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
      ]),
      pkg('dash', [{ dir: 'bin' }, { file: 'bin/dash', mode: 0o755 }, { link: 'bin/sh', to: 'dash' }]),
    ],
    OPTS,
  );
  for (const top of ['bin', 'sbin', 'lib', 'lib64']) {
    assert.deepEqual(node(tree, top), {
      type: 'symlink',
      path: top,
      target: `usr/${top}`,
      mode: 0o777,
      uid: 0,
      gid: 0,
      mtime: OPTS.epoch,
      owners: [],
    });
  }
  assert.ok(!tree.nodes.has('lib32'), 'lib32 only when used');
  assert.deepEqual(node(tree, 'usr/lib/x86_64-linux-gnu/libc.so.6').owners, ['libc6']);
  assert.equal(node(tree, 'usr/bin/sh').type, 'symlink');
  assert.equal(node(tree, 'usr/lib64/ld-linux-x86-64.so.2').type, 'symlink');
  assert.deepEqual(node(tree, 'usr/bin').owners, ['dash'], 'the shipped bin/ dir becomes usr/bin');
  assert.equal(node(tree, 'usr').type, 'dir');
  assert.ok(![...tree.nodes.keys()].some((p) => p.startsWith('bin/') || p.startsWith('lib/')));
  // Parents come before children and the map is sorted.
  const keys = [...tree.nodes.keys()];
  assert.deepEqual(keys, [...keys].sort());
});

test('trixie layout: base-files ships the links itself and they merge with ours', () => {
  const tree = assemble(
    [
      pkg('base-files', [
        { link: 'bin', to: 'usr/bin' },
        { link: 'lib', to: 'usr/lib' },
        { link: 'sbin', to: '/usr/sbin' },
        { dir: 'usr' },
        { dir: 'usr/bin' },
      ]),
      pkg('dash', [{ dir: 'usr/bin' }, { file: 'usr/bin/dash', mode: 0o755 }]),
    ],
    OPTS,
  );
  assert.deepEqual(node(tree, 'bin').owners, ['base-files']);
  assert.deepEqual(node(tree, 'sbin').owners, ['base-files'], 'absolute and relative link targets agree');
  assert.deepEqual(node(tree, 'usr/bin').owners, ['base-files', 'dash']);
});

test('the result does not depend on input order', () => {
  const a = pkg('a', [{ dir: 'etc' }, { file: 'etc/a' }]);
  const b = pkg('b', [{ dir: 'etc', mode: 0o700 }, { file: 'etc/b' }]);
  assert.deepEqual(assemble([a, b], OPTS), assemble([b, a], OPTS));
});

test('conflicting paths name both packages; identical files are shared', () => {
  throwsCode(
    () =>
      assemble([pkg('one', [{ file: 'etc/x', content: '1' }]), pkg('two', [{ file: 'etc/x', content: '2' }])], OPTS),
    'CONFLICT',
    'one',
    'two',
  );
  throwsCode(
    () =>
      assemble(
        [pkg('old', [{ file: 'bin/x', content: '1' }]), pkg('new', [{ file: 'usr/bin/x', content: '2' }])],
        OPTS,
      ),
    'CONFLICT',
    'old',
    'new',
  );
  throwsCode(() => assemble([pkg('f', [{ file: 'opt' }]), pkg('g', [{ file: 'opt/x' }])], OPTS), 'CONFLICT', 'f');
  const tree = assemble(
    [pkg('one', [{ file: 'etc/x', content: 'same' }]), pkg('two', [{ file: 'etc/x', content: 'same' }])],
    OPTS,
  );
  assert.deepEqual(node(tree, 'etc/x').owners, ['one', 'two']);
});

test('strip rules: docs, manuals and locales go, copyright and C.UTF-8 stay, all recorded', () => {
  const tree = assemble(
    [
      pkg('tool', [
        { dir: 'usr/share/doc/tool' },
        { file: 'usr/share/doc/tool/copyright' },
        { file: 'usr/share/doc/tool/changelog.Debian.gz' },
        { file: 'usr/share/doc/tool/examples/x.conf' },
        { link: 'usr/share/doc/tool-extra', to: 'tool' },
        { file: 'usr/share/man/man1/tool.1.gz' },
        { file: 'usr/share/info/tool.info.gz' },
        { file: 'usr/share/locale/de/LC_MESSAGES/tool.mo' },
        { file: 'usr/share/locale/C.UTF-8/LC_MESSAGES/tool.mo' },
        { file: 'usr/share/lintian/overrides/tool' },
        { file: 'usr/share/bug/tool/control' },
        { file: 'usr/share/doc-base/tool' },
        { file: 'usr/share/menu/tool' },
        { file: 'usr/share/gtk-doc/html/tool/index.html' },
        { file: 'usr/bin/tool' },
      ]),
      pkg('libc-bin', [{ file: 'usr/lib/locale/C.utf8/LC_CTYPE' }, { file: 'usr/lib/locale/de_DE.utf8/LC_CTYPE' }]),
    ],
    OPTS,
  );
  const kept = [...tree.nodes.keys()].filter((p) => p.startsWith('usr/share') || p.startsWith('usr/lib/locale/'));
  assert.deepEqual(
    kept,
    [
      'usr/share',
      'usr/share/doc',
      'usr/share/doc/tool',
      'usr/share/doc/tool-extra',
      'usr/share/doc/tool/copyright',
      'usr/share/locale',
      'usr/share/locale/C.UTF-8',
      'usr/share/locale/C.UTF-8/LC_MESSAGES',
      'usr/share/locale/C.UTF-8/LC_MESSAGES/tool.mo',
      'usr/lib/locale/C.utf8',
      'usr/lib/locale/C.utf8/LC_CTYPE',
    ].sort(),
  );
  assert.deepEqual(
    tree.stripped.filter((s) => s.package === 'libc-bin'),
    [{ package: 'libc-bin', path: 'usr/lib/locale/de_DE.utf8/LC_CTYPE' }],
  );
  assert.equal(tree.stripped.filter((s) => s.package === 'tool').length, 10);
  assert.equal(assemble([pkg('tool', [{ file: 'usr/share/man/x.1' }])], { ...OPTS, strip: false }).stripped.length, 0);
});

test('hostile entries are rejected with HOSTILE_INPUT', async (t) => {
  const cases: [string, ReturnType<typeof pkg>][] = [
    ['relative symlink climbing above the root', pkg('evil', [{ link: 'etc/x', to: '../../../etc/shadow' }])],
    ['symlink climbing out from the top level', pkg('evil', [{ link: 'x', to: '../x' }])],
    ['device node', pkg('evil', [{ device: 'dev/null' }])],
    ['hardlink to a missing target', pkg('evil', [{ hardlink: 'usr/bin/x', to: 'usr/bin/nothere' }])],
    ['.. in a path', pkg('evil', [{ file: 'usr/../../etc/passwd' }])],
  ];
  for (const [name, input] of cases) {
    await t.test(name, () => throwsCode(() => assemble([input], OPTS), 'HOSTILE_INPUT', 'evil'));
  }
});

test('absolute symlinks and in-root relative symlinks are fine', () => {
  const tree = assemble(
    [
      pkg('alt', [
        { link: 'usr/bin/editor', to: '/etc/alternatives/editor' },
        { link: 'usr/lib/x/y', to: '../../../etc/y' },
      ]),
    ],
    OPTS,
  );
  assert.equal(node(tree, 'usr/bin/editor').type, 'symlink');
  assert.equal(node(tree, 'usr/lib/x/y').type, 'symlink');
});

test('setuid and setgid bits are removed in runtime variants and recorded; kept in dev', () => {
  const input = [
    pkg('su', [
      { file: 'usr/bin/su', mode: 0o4755 },
      { dir: 'var/mail', mode: 0o2775 },
    ]),
  ];
  const runtime = assemble(input, OPTS);
  assert.equal(node(runtime, 'usr/bin/su').mode, 0o755);
  assert.equal(node(runtime, 'var/mail').mode, 0o775);
  assert.deepEqual(runtime.modeChanges, [
    { package: 'su', path: 'usr/bin/su', from: 0o4755, to: 0o755 },
    { package: 'su', path: 'var/mail', from: 0o2775, to: 0o775 },
  ]);
  const dev = assemble(input, { ...OPTS, stripSetuid: false });
  assert.equal(node(dev, 'usr/bin/su').mode, 0o4755);
  assert.deepEqual(dev.modeChanges, []);
});

test('hardlinks keep their target; a link to a stripped file becomes a copy', () => {
  const tree = assemble(
    [
      pkg('perl', [
        { file: 'usr/bin/perl5.36', content: 'ELF' },
        { hardlink: 'usr/bin/perl', to: 'usr/bin/perl5.36' },
        { file: 'usr/share/man/man1/perl.1', content: 'man' },
        { hardlink: 'usr/lib/perl.txt', to: 'usr/share/man/man1/perl.1' },
      ]),
    ],
    OPTS,
  );
  const link = node(tree, 'usr/bin/perl');
  assert.ok(link.type === 'hardlink');
  assert.equal(link.target, 'usr/bin/perl5.36');
  assert.equal(Buffer.from(link.data).toString(), 'ELF');
  const copy = node(tree, 'usr/lib/perl.txt');
  assert.equal(copy.type, 'file');
});

test('parents are resolved through symlinked directories shipped by packages', () => {
  const tree = assemble(
    [pkg('base-files', [{ dir: 'run' }, { link: 'var/run', to: '/run' }]), pkg('svc', [{ file: 'var/run/svc/pid' }])],
    OPTS,
  );
  assert.deepEqual(node(tree, 'run/svc/pid').owners, ['svc']);
  assert.equal(node(tree, 'var/run').type, 'symlink');
});

test('a .deb holding another package than its lock entry is rejected', () => {
  const input = pkg('a', []);
  throwsCode(() => assemble([{ ...input, pkg: { ...input.pkg, name: 'b' } }], OPTS), 'INVALID_INPUT');
  throwsCode(() => assemble([input, input], OPTS), 'INVALID_INPUT');
});
