/**
 * Helper process of bench/build.ts: `node --import tsx bench/patch-locks.ts REQUEST.json` prints the patched locks
 * (one package swapped for another version of the same source, as a security update does) as JSON. It is a process
 * of its own because reading the archive's package indices leaves them in a process-wide memo (hundreds of MB of
 * heap, kept for later locks) that an `ironclad build` process never holds: in the benchmark's heap, every garbage
 * collection of the timed rebuilds would have to mark them.
 */
import { readFile } from 'node:fs/promises';
import { createContext } from '../src/core/context.ts';
import { buildUniverse, loadDistro, openArchive } from '../src/debian/index.ts';
import type { Lockfile } from '../src/definition/index.ts';

export interface PatchLocksRequest {
  readonly lock: Lockfile;
  readonly platform: string;
  readonly home: string;
  readonly count: number;
}

const request = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as PatchLocksRequest;
const { lock, platform, home, count } = request;
const ctx = createContext({ home });
const locked = lock.variants.runtime!.platforms[platform]!;
const archive = await openArchive(await loadDistro('debian-12'), ctx, { architecture: locked.architecture });
const universe = buildUniverse(archive.packages, {
  architecture: locked.architecture,
  suites: archive.suites.map((s) => s.suite),
});
const out = [];
for (const p of locked.packages) {
  const other = universe.packages.get(p.name)?.find((e) => e.version !== p.version && e.source === p.source);
  if (!other) continue;
  const packages = locked.packages.map((x) =>
    x.name === p.name
      ? {
          ...x,
          version: other.version,
          sourceVersion: other.sourceVersion,
          suite: other.suite,
          filename: other.filename,
          size: other.size,
          sha256: other.sha256,
        }
      : x,
  );
  const patched: Lockfile = {
    ...lock,
    variants: { ...lock.variants, runtime: { platforms: { [platform]: { ...locked, packages } } } },
  };
  const baseUrl = locked.suites.find((s) => s.suite === other.suite)!.baseUrl;
  const ref = { ...other, name: p.name, architecture: p.architecture, baseUrl };
  out.push({ lock: patched, what: `${p.name} ${p.version} → ${other.version}`, ref });
  if (out.length === count) break;
}
process.stdout.write(JSON.stringify(out));
