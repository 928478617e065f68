import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { assemble } from '../../src/image/assemble.ts';
import { groupPackages, SYNTHESIZED_GROUP, treeToLayers } from '../../src/image/layers-plan.ts';
import { synthesize } from '../../src/image/synthesize.ts';
import { tarBytes } from '../../src/oci/index.ts';
import { lockedPackage, pkg } from './in-memory-deb.ts';

const p = (name: string, source: string, size: number) => lockedPackage(name, { source, size });

test('groupPackages: table', () => {
  const rows: {
    name: string;
    pkgs: ReturnType<typeof p>[];
    max?: number;
    want: [string, string[], number][];
  }[] = [
    { name: 'empty', pkgs: [], want: [] },
    {
      name: 'one group per source, sorted by source',
      pkgs: [p('libssl3', 'openssl', 10), p('zlib1g', 'zlib', 5), p('openssl', 'openssl', 20)],
      want: [
        ['openssl', ['libssl3', 'openssl'], 30],
        ['zlib', ['zlib1g'], 5],
      ],
    },
    {
      name: 'fits exactly: max-1 package groups',
      pkgs: [p('a', 'a', 1), p('b', 'b', 2)],
      max: 3,
      want: [
        ['a', ['a'], 1],
        ['b', ['b'], 2],
      ],
    },
    {
      name: 'the smallest groups merge, large ones stay',
      pkgs: [p('big', 'big', 100), p('c', 'c', 3), p('a', 'a', 1), p('b', 'b', 2), p('huge', 'huge', 500)],
      max: 4,
      want: [
        ['a+2', ['a', 'b', 'c'], 6],
        ['big', ['big'], 100],
        ['huge', ['huge'], 500],
      ],
    },
    {
      name: 'ties in size break by name',
      pkgs: [p('y', 'y', 1), p('x', 'x', 1), p('z', 'z', 1)],
      max: 3,
      want: [
        ['x+1', ['x', 'y'], 2],
        ['z', ['z'], 1],
      ],
    },
    {
      name: 'two layers: everything in one package group',
      pkgs: [p('y', 'y', 1), p('x', 'x', 7)],
      max: 2,
      want: [['x+1', ['x', 'y'], 8]],
    },
  ];
  for (const row of rows) {
    const groups = groupPackages(row.pkgs, row.max);
    const last = groups.at(-1)!;
    assert.deepEqual(last, { name: SYNTHESIZED_GROUP, kind: 'synthesized', packages: [], size: 0 }, row.name);
    assert.deepEqual(
      groups.slice(0, -1).map((g) => [g.name, g.packages, g.size]),
      row.want,
      row.name,
    );
    assert.deepEqual(groupPackages([...row.pkgs].reverse(), row.max), groups, `${row.name}: order independent`);
  }
});

test('groupPackages rejects bad input', () => {
  assert.throws(
    () => groupPackages([], 1),
    (err) => isIroncladError(err, 'USAGE'),
  );
  assert.throws(
    () => groupPackages([p('a', 'a', 1), p('a', 'a', 1)]),
    (err) => isIroncladError(err, 'INVALID_INPUT'),
  );
});

function layersOf() {
  const inputs = [
    pkg('libc6', [{ dir: 'usr' }, { dir: 'usr/lib' }, { file: 'usr/lib/libc.so.6' }, { file: 'lib64/ld.so' }]),
    pkg('tool', [{ dir: 'usr', mode: 0o755 }, { file: 'bin/tool' }, { hardlink: 'bin/tool2', to: 'bin/tool' }]),
    pkg('libtool', [{ file: 'usr/lib/libtool.so' }], { source: 'tool' }),
  ];
  const tree = assemble(inputs, { stripSetuid: true, epoch: 1_700_000_100 });
  const groups = groupPackages(inputs.map((i) => i.pkg));
  return { tree, groups, layers: treeToLayers(tree, groups, 1_700_000_100) };
}

test('treeToLayers: files by group, parents in every layer, mtimes clamped, generated files last', () => {
  const { layers } = layersOf();
  const summary = layers.map((l) => [l.group.name, l.entries.map((e) => `${e.type}:${e.path}`)]);
  assert.deepEqual(summary, [
    ['libc6', ['dir:usr', 'dir:usr/lib', 'file:usr/lib/libc.so.6', 'dir:usr/lib64', 'file:usr/lib64/ld.so']],
    [
      'tool',
      [
        'dir:usr',
        'dir:usr/bin',
        'file:usr/bin/tool',
        'hardlink:usr/bin/tool2',
        'dir:usr/lib',
        'file:usr/lib/libtool.so',
      ],
    ],
    // No package ships usr/sbin: the image makes it, so the /sbin link resolves.
    [SYNTHESIZED_GROUP, ['symlink:bin', 'symlink:lib', 'symlink:lib64', 'symlink:sbin', 'dir:usr', 'dir:usr/sbin']],
  ]);
  for (const layer of layers) {
    for (const e of layer.entries) assert.ok(e.mtime <= 1_700_000_100);
  }
  const hardlink = layers[1]!.entries.find((e) => e.path === 'usr/bin/tool2');
  assert.ok(hardlink?.type === 'hardlink');
  assert.equal(hardlink.target, 'usr/bin/tool');
  const usr = layers.map((l) => l.entries.find((e) => e.path === 'usr'));
  assert.deepEqual(usr[0], usr[1], 'shared directories carry the same metadata in every layer');
});

test('treeToLayers clamps to an earlier epoch', () => {
  const { tree, groups } = layersOf();
  for (const layer of treeToLayers(tree, groups, 1000)) {
    assert.ok(layer.entries.every((e) => e.mtime === 1000));
  }
});

test('a hardlink whose file sits in another layer becomes a copy', () => {
  const inputs = [
    pkg('a', [{ file: 'usr/x', content: 'same' }]),
    pkg('b', [
      { file: 'usr/x', content: 'same' },
      { hardlink: 'usr/y', to: 'usr/x' },
    ]),
  ];
  const tree = assemble(inputs, { stripSetuid: true, epoch: 1 });
  const layers = treeToLayers(tree, groupPackages(inputs.map((i) => i.pkg)), 1);
  assert.deepEqual(
    layers[1]!.entries.map((e) => `${e.type}:${e.path}`),
    ['dir:usr', 'file:usr/y'],
  );
});

test('layers of a synthesized tree are valid tars that GNU tar lists', () => {
  const inputs = [
    pkg('base-files', [
      { file: 'usr/lib/os-release', content: 'debian' },
      { link: 'etc/os-release', to: '../usr/lib/os-release' },
    ]),
    pkg('ca-certificates', [{ file: 'usr/share/ca-certificates/mozilla/a.crt', content: 'A\n' }]),
  ];
  const assembled = assemble(inputs, { stripSetuid: true, epoch: 1_700_000_000 });
  const tree = synthesize(assembled, {
    image: 'static',
    distro: { id: 'debian', name: 'Debian GNU/Linux', versionId: '12', versionCodename: 'bookworm' },
    accounts: [],
    kind: 'runtime',
    epoch: 1_700_000_000,
  });
  const layers = treeToLayers(tree, groupPackages(inputs.map((i) => i.pkg)), 1_700_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  try {
    const listed = layers.map((layer, i) => {
      const file = join(dir, `${i}.tar`);
      writeFileSync(file, tarBytes(layer.entries));
      return execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
    });
    assert.ok(!listed[0]!.includes('usr/lib/os-release'), 'replaced by the generated os-release');
    assert.ok(listed[2]!.includes('etc/passwd'));
    assert.ok(listed[2]!.includes('etc/ssl/certs/ca-certificates.crt'));
    assert.ok(listed[2]!.includes('var/lib/dpkg/status.d/base-files'));
    assert.ok(listed[2]!.includes('home/nonroot/'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('groupPackages with the runtime packages: their groups come first, unchanged; the rest apart', () => {
  const runtime = [p('libc6', 'glibc', 10), p('libssl3', 'openssl', 5), p('zlib1g', 'zlib', 3)];
  const newer = { ...p('zlib1g', 'zlib', 3), version: '2.0-1' };
  const dev = [runtime[0]!, runtime[1]!, newer, p('libc-bin', 'glibc', 4), p('gcc', 'gcc', 50)];
  const groups = groupPackages(dev, 64, runtime).map((g) => [g.name, g.packages]);
  assert.deepEqual(groups, [
    // The runtime's groups whose packages are all here at the same versions: identical layers.
    ['glibc', ['libc6']],
    ['openssl', ['libssl3']],
    // zlib moved on, so its group is planned with the dev-only packages; glibc's extras are a group of their own.
    ['gcc', ['gcc']],
    ['glibc+dev', ['libc-bin']],
    ['zlib', ['zlib1g']],
    [SYNTHESIZED_GROUP, []],
  ]);
  // The runtime's own plan, for comparison: the shared groups are the same.
  assert.deepEqual(
    groupPackages(runtime)
      .slice(0, 2)
      .map((g) => [g.name, g.packages]),
    groups.slice(0, 2),
  );
});
