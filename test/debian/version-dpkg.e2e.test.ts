import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { compareVersions } from '../../src/debian/index.ts';
import { parsePackagesIndex } from '../../src/debian/packages-index.ts';
import { BOOKWORM_MAIN_AMD64, fetchBookwormPackages } from '../support/bookworm-packages.ts';

// Cross-checks compareVersions against dpkg itself on real archive versions. Pairs are drawn with a seeded
// PRNG, so every run checks the same pairs: random pairs (mostly far apart) plus neighbours in sorted order
// (close calls such as 1.2-1 vs 1.2-1+deb12u1, ~rc vs release).

/** mulberry32: a tiny seeded PRNG, enough for a reproducible shuffle. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const OPS = { '-1': 'lt', '0': 'eq', '1': 'gt' } as const;

/**
 * Asks dpkg whether each `a OP b` holds, OP being our answer; one long-lived shell per chunk reads the pairs from
 * stdin, so only dpkg itself is spawned per pair. Returns the lines dpkg disagreed with.
 */
function dpkgDisagreements(lines: string[]): Promise<string[]> {
  const script =
    'while read -r op a b; do if dpkg --compare-versions "$a" "$op" "$b"; then echo y; else echo "n $a $op $b"; fi; done';
  return new Promise((resolve, reject) => {
    const sh = spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    sh.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    sh.on('error', reject);
    sh.on('close', (code) => {
      const results = out.split('\n').filter((l) => l.length > 0);
      if (code !== 0 || results.length !== lines.length)
        reject(new Error(`dpkg shell: exit ${code}, ${results.length} answers`));
      else resolve(results.filter((l) => l !== 'y'));
    });
    sh.stdin.end(`${lines.join('\n')}\n`);
  });
}

test('compareVersions agrees with dpkg --compare-versions on >= 10,000 real version pairs', async (t) => {
  const entries = parsePackagesIndex(await fetchBookwormPackages(), BOOKWORM_MAIN_AMD64);
  const versions = [...new Set(entries.map((e) => e.version))].sort();
  const rand = prng(20240610);

  const pairs: [string, string][] = [];
  const shuffled = shuffle([...versions], rand);
  for (let i = 0; i + 1 < shuffled.length && pairs.length < 6000; i += 2) pairs.push([shuffled[i]!, shuffled[i + 1]!]);
  const ordered = [...versions].sort(compareVersions);
  const starts = shuffle([...ordered.keys()].slice(0, -1), rand).slice(0, 6000);
  for (const i of starts) pairs.push(rand() < 0.5 ? [ordered[i]!, ordered[i + 1]!] : [ordered[i + 1]!, ordered[i]!]);
  // Equal pairs, and pairs that differ only in a textual way dpkg treats as equal.
  for (const v of shuffled.slice(0, 200)) pairs.push([v, v.includes(':') ? v : `0:${v}`]);
  assert.ok(pairs.length >= 10_000);

  const lines = pairs.map(([a, b]) => `${OPS[String(compareVersions(a, b)) as keyof typeof OPS]} ${a} ${b}`);
  const chunks = 4;
  const size = Math.ceil(lines.length / chunks);
  const parts = await Promise.all(
    Array.from({ length: chunks }, (_, i) => dpkgDisagreements(lines.slice(i * size, (i + 1) * size))),
  );
  const mismatches = parts.flat();
  t.diagnostic(`${pairs.length} pairs from ${versions.length} distinct versions checked against dpkg`);
  assert.deepEqual(mismatches.slice(0, 20), []);
});
