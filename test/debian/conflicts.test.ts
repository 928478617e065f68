import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictIndex, describeClash } from '../../src/debian/conflicts.ts';
import { buildUniverse } from '../../src/debian/index.ts';
import type { PackageEntry } from '../../src/debian/types.ts';
import { pkg } from '../support/debian-entries.ts';

/** Selects `names` in order into a fresh index, returning a function that asks about a candidate. */
function setup(entries: PackageEntry[], names: string[]) {
  const u = buildUniverse(entries, { architecture: 'amd64' });
  const selected = new Map<string, PackageEntry>();
  const index = new ConflictIndex(selected, u.providers);
  for (const n of names) {
    const e = u.packages.get(n)![0]!;
    selected.set(n, e);
    index.add(e);
  }
  return (name: string) => {
    const c = index.clash(u.packages.get(name)![0]!);
    return c === undefined ? undefined : describeClash(c);
  };
}

test('a selected package conflicting with a candidate, by name and version', () => {
  const ask = setup([pkg('a', { conflicts: 'b (<< 2)' }), pkg('b', { v: '1' }), pkg('c')], ['a']);
  assert.equal(ask('b'), 'a 1.0 conflicts with b 1 (b (<< 2))');
  assert.equal(ask('c'), undefined);
});

test('a candidate breaking a selected package', () => {
  const ask = setup([pkg('a', { v: '1' }), pkg('b', { breaks: 'a (<< 2)' })], ['a']);
  assert.equal(ask('b'), 'b 1.0 breaks a 1 (a (<< 2))');
});

test('conflicts on a virtual name hit other providers but not the declarer', () => {
  const ask = setup(
    [
      pkg('mawk', { provides: 'awk', conflicts: 'awk' }),
      pkg('gawk', { provides: 'awk' }),
      pkg('other', { conflicts: 'awk' }),
    ],
    ['mawk'],
  );
  assert.equal(ask('gawk'), 'mawk 1.0 conflicts with gawk 1.0 (awk)');
  assert.equal(ask('other'), 'other 1.0 conflicts with mawk 1.0 (awk)');
  assert.equal(ask('mawk'), undefined);
});

test('versioned conflicts on a virtual name hit only matching versioned provides', () => {
  const ask = setup(
    [
      pkg('a', { conflicts: 'abi (<< 2)' }),
      pkg('old', { provides: 'abi (= 1)' }),
      pkg('new', { provides: 'abi (= 2)' }),
      pkg('plain', { provides: 'abi' }),
    ],
    ['a'],
  );
  assert.notEqual(ask('old'), undefined);
  assert.equal(ask('new'), undefined);
  assert.equal(ask('plain'), undefined);
});
