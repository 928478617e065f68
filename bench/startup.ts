/**
 * CLI start-up against bare node, in one run:  node --import tsx bench/startup.ts [runs, default 15]
 * Times `ironclad --help` and `ironclad images` (an empty store) through bin/ironclad.js, which runs the compiled
 * CLI in dist/ (build it first: npm run build), against `node -e 0`. Median wall time of each.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = Number(process.argv[2] ?? 15);
const BIN = resolve(import.meta.dirname, '..', 'bin', 'ironclad.js');
const home = await mkdtemp(join(tmpdir(), 'ironclad-startup-'));

function medianMs(args: readonly string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env: { ...process.env, IRONCLAD_HOME: home }, stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? Number.NaN;
}

try {
  const bare = medianMs(['-e', '0']);
  const help = medianMs([BIN, '--help']);
  const images = medianMs([BIN, 'images']);
  console.log(`node -e 0           ${bare.toFixed(0).padStart(5)} ms (median of ${RUNS})`);
  console.log(`ironclad --help     ${help.toFixed(0).padStart(5)} ms  ${(help / bare).toFixed(2)}x bare node`);
  console.log(`ironclad images     ${images.toFixed(0).padStart(5)} ms  ${(images / bare).toFixed(2)}x bare node`);
} finally {
  await rm(home, { recursive: true, force: true });
}
