import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildUniverse, resolveClosure } from '../../src/debian/index.ts';
import { parsePackagesIndex } from '../../src/debian/packages-index.ts';
import { BOOKWORM_MAIN_AMD64, fetchBookwormPackages } from '../support/bookworm-packages.ts';

test('parses the real bookworm main/amd64 index and resolves a closure from it', async (t) => {
  const text = await fetchBookwormPackages();
  const start = performance.now();
  const entries = parsePackagesIndex(text, BOOKWORM_MAIN_AMD64);
  const ms = performance.now() - start;
  // Printed, not asserted: tests never assert on wall-clock time.
  t.diagnostic(`parsed ${entries.length} stanzas (${(text.length / 1e6).toFixed(1)} M chars) in ${ms.toFixed(0)} ms`);
  assert.ok(entries.length > 60_000);

  const libc = entries.find((e) => e.name === 'libc6');
  assert.equal(libc?.source, 'glibc');
  assert.equal(libc?.multiArch, 'same');

  const universe = buildUniverse(entries, { architecture: 'amd64' });
  const res = resolveClosure({ packages: ['python3.11-minimal', 'ca-certificates'], exclude: ['debconf'] }, universe);
  const closure = res.packages.map((p) => p.name);
  for (const want of ['python3.11-minimal', 'libpython3.11-minimal', 'libc6', 'ca-certificates', 'openssl']) {
    assert.ok(closure.includes(want), `closure includes ${want}`);
  }
  assert.ok(!closure.includes('debconf'));
  t.diagnostic(`python3.11-minimal + ca-certificates: ${closure.length} packages`);
});
