import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { spawnProcess } from './spawn-helper.ts';

/**
 * The directories of one container's throw-away root: Linux overlayfs with `lower` read-only and writes going to
 * a fresh `upper`. runc mounts it at `/` inside the container's own mount namespace (runtime-spec.ts), so it
 * goes away with the container's last process: nothing is mounted on the host, no mount or umount process is
 * started per container, and a killed run cannot leave a mount behind.
 */
export interface OverlayDirs {
  readonly lower: string;
  readonly upper: string;
  readonly work: string;
}

function run(cmd: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawnProcess(cmd, args, ['ignore', 'ignore', 'ignore']);
    child.on('error', () => resolve(-1));
    child.on('close', (code: number | null) => resolve(code ?? -1));
  });
}

/** Whether overlayfs mounts in a directory, per parent directory, learnt once per process. */
const supported = new Map<string, Promise<boolean>>();

/**
 * Whether an overlay with its upper directory in `dir` can be mounted: the kernel may lack overlayfs, or refuse
 * an upper directory that is itself on overlayfs (a temp dir inside a container). Learnt by mounting one once
 * per parent of `dir` in this process (`mount`, `umount`: needs root); the answer holds for every scratch
 * directory beside `dir`, which are on the same file system.
 */
export function overlaySupported(dir: string): Promise<boolean> {
  const parent = dirname(dir);
  let known = supported.get(parent);
  if (known === undefined) {
    known = probe(join(dir, 'overlay-probe'));
    supported.set(parent, known);
  }
  return known;
}

async function probe(dir: string): Promise<boolean> {
  const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((d) => join(dir, d)) as [
    string,
    string,
    string,
    string,
  ];
  try {
    for (const d of [lower, upper, work, merged]) await mkdir(d, { recursive: true, mode: 0o700 });
    const opts = `lowerdir=${lower},upperdir=${upper},workdir=${work}`;
    if ((await run('mount', ['-t', 'overlay', 'overlay', '-o', opts, merged])) !== 0) return false;
    await run('umount', ['-l', merged]);
    return true;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Makes the upper and work directories of a container's overlay in `dir` over the read-only `lower`. Resolves
 * `undefined` when a path would break the mount options; the caller has asked overlaySupported first, and in
 * both cases unpacks a private copy instead.
 */
export async function overlayDirs(lower: string, dir: string): Promise<OverlayDirs | undefined> {
  const upper = join(dir, 'upper');
  const work = join(dir, 'work');
  // Commas and colons separate overlay options; our temp paths never contain them, but refuse rather than guess.
  if (/[,:]/.test(lower + upper + work)) return undefined;
  for (const d of [upper, work]) await mkdir(d, { recursive: true, mode: 0o700 });
  // The merged root takes the upper directory's mode: it must be the image root's, or `/` is 0700 to non-root.
  await chmod(upper, (await stat(lower)).mode & 0o7777);
  return { lower, upper, work };
}
