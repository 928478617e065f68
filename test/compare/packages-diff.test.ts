import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHANGE_MARKER, type DiffPackage, diffPackages } from '../../src/compare/packages-diff.ts';

const pkg = (name: string, version: string, arch = 'amd64', type = 'deb'): DiffPackage => ({
  type,
  name,
  version,
  arch,
  sourceName: name,
  sourceVersion: version,
  vulnerabilities: null,
});

const cases: { name: string; target: DiffPackage[]; baseline: DiffPackage[]; want: string[][] }[] = [
  { name: 'added', target: [pkg('a', '1')], baseline: [], want: [['a', 'added']] },
  { name: 'removed', target: [], baseline: [pkg('a', '1')], want: [['a', 'removed']] },
  { name: 'same version', target: [pkg('a', '1.0-1')], baseline: [pkg('a', '1.0-1')], want: [['a', 'unchanged']] },
  { name: 'upgraded', target: [pkg('a', '1.10')], baseline: [pkg('a', '1.9')], want: [['a', 'upgraded']] },
  { name: 'downgraded', target: [pkg('a', '1.0~rc1')], baseline: [pkg('a', '1.0')], want: [['a', 'downgraded']] },
  { name: 'epoch wins', target: [pkg('a', '1:0.1')], baseline: [pkg('a', '9.9')], want: [['a', 'upgraded']] },
  {
    name: 'equal by dpkg, different text',
    target: [pkg('a', '0:1.0')],
    baseline: [pkg('a', '1.0')],
    want: [['a', 'unchanged']],
  },
  {
    name: 'security update',
    target: [pkg('a', '3.0.15-1~deb12u1')],
    baseline: [pkg('a', '3.0.11-1~deb12u2')],
    want: [['a', 'upgraded']],
  },
  {
    name: 'an invalid version falls back to text order',
    target: [pkg('a', 'b version')],
    baseline: [pkg('a', 'a version')],
    want: [['a', 'upgraded']],
  },
  {
    name: 'multi-arch names get :arch',
    target: [pkg('libc6', '2.36', 'amd64'), pkg('libc6', '2.36', 'i386')],
    baseline: [pkg('libc6', '2.36', 'amd64')],
    want: [
      ['libc6:amd64', 'unchanged'],
      ['libc6:i386', 'added'],
    ],
  },
  {
    name: 'ecosystems never pair: a Python six is not a Debian six',
    target: [pkg('six', '1.16.0', '', 'pypi'), pkg('six', '1.16.0-4')],
    baseline: [pkg('six', '1.16.0-4')],
    want: [
      ['six', 'unchanged'],
      ['six', 'added'],
    ],
  },
  {
    name: 'sorted by name',
    target: [pkg('z', '1'), pkg('b', '1')],
    baseline: [pkg('a', '1')],
    want: [
      ['a', 'removed'],
      ['b', 'added'],
      ['z', 'added'],
    ],
  },
];

for (const c of cases) {
  test(`diffPackages: ${c.name}`, () => {
    assert.deepEqual(
      diffPackages(c.target, c.baseline).map((p) => [p.name, p.change]),
      c.want,
    );
  });
}

test('each side keeps its own version and metadata, without the name', () => {
  const [p] = diffPackages([pkg('a', '2')], [pkg('a', '1')]);
  assert.equal(p?.type, 'deb');
  assert.deepEqual(p?.target, {
    type: 'deb',
    version: '2',
    arch: 'amd64',
    sourceName: 'a',
    sourceVersion: '2',
    vulnerabilities: null,
  });
  assert.equal(p?.baseline?.version, '1');
});

test('markers follow docker scout compare', () => {
  assert.deepEqual(CHANGE_MARKER, { added: '+', removed: '-', upgraded: '↑', downgraded: '↓', unchanged: ' ' });
});
