/**
 * Lock benchmark on the real Debian archive:  node --import tsx bench/resolve.ts
 * Prints cold (download + verify + parse + resolve) and warm lock of images/python for linux/amd64 and
 * linux/arm64, the parse time of bookworm's main amd64 Packages index, and, as a reference, apt's own
 * resolution of the same request (`apt-get install --simulate` against this machine's apt lists: amd64 only,
 * with apt's binary package cache warm).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { decompress } from '@napi-rs/lzma/xz';
import { createContext } from '../src/core/context.ts';
import { Home } from '../src/core/index.ts';
import { cachePath, loadDistro, openArchive } from '../src/debian/index.ts';
import { parsePackagesIndex } from '../src/debian/packages-index.ts';
import { loadDefinition } from '../src/definition/index.ts';
import { planLock } from '../src/image/index.ts';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '..');
const PLATFORMS = ['linux/amd64', 'linux/arm64'];

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

const home = await mkdtemp(join(tmpdir(), 'bench-resolve-'));
try {
  const ctx = createContext({ home });
  const loaded = await loadDefinition(join(REPO, 'images/python'));
  const [, cold] = await timed(() => planLock(loaded, { platforms: PLATFORMS }, ctx));
  const [, warm] = await timed(() => planLock(loaded, { platforms: PLATFORMS }, ctx));
  const [, warmFresh] = await timed(() => planLock(loaded, { platforms: PLATFORMS, fresh: true }, ctx));
  console.log(`lock python (amd64+arm64) cold:                 ${cold.toFixed(0)} ms`);
  console.log(`lock python (amd64+arm64) warm:                 ${warm.toFixed(0)} ms (target < 1000 ms)`);
  console.log(`lock python (amd64+arm64) warm, no res. cache:  ${warmFresh.toFixed(0)} ms`);

  // Parse time of the largest index, from the verified cache.
  const distro = await loadDistro('debian-12');
  const archive = await openArchive(distro, ctx, { architecture: 'amd64', indices: false });
  const main = archive.suites.find((s) => s.suite === 'bookworm')!;
  const entry = main.release.files.get('main/binary-amd64/Packages.xz')!;
  const text = new TextDecoder().decode(await decompress(await readFile(cachePath(new Home(home), entry.sha256))));
  const [entries, parse] = await timed(async () =>
    parsePackagesIndex(text, { suite: 'bookworm', component: 'main', baseUrl: main.baseUrl }),
  );
  console.log(`parse bookworm main amd64 (${entries.length} stanzas):   ${parse.toFixed(0)} ms (target < 1500 ms)`);

  const packages = loaded.definition.packages.map((p) => p.name);
  const apt = await timed(() => run('apt-get', ['install', '--simulate', '-qq', ...packages])).catch(() => undefined);
  if (apt) {
    console.log(`reference: apt-get install --simulate (amd64):  ${apt[1].toFixed(0)} ms`);
    console.log(`ratio warm lock (2 platforms) / apt simulate (1 platform): ${(warm / apt[1]).toFixed(2)}`);
  } else {
    console.log('reference: apt-get install --simulate unavailable (run apt-get update first)');
  }
} finally {
  await rm(home, { recursive: true, force: true });
}
