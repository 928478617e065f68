import { spawn } from 'node:child_process';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A throw-away writable view of a read-only directory. */
export interface OverlayMount {
  readonly merged: string;
  unmount(): Promise<void>;
}

function run(cmd: string, args: readonly string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < 4096) stderr += c.toString('utf8');
    });
    child.on('error', (e) => resolve({ code: -1, stderr: e.message }));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

/**
 * Mounts an overlay filesystem (Linux overlayfs: `lowerdir` read-only, writes go to a fresh `upperdir`) at
 * `dir/merged`, so each container of a test run starts from the same unpacked image and none sees another's
 * writes, the way containerd snapshots work. Needs root. Resolves `undefined` when the kernel or the file
 * system refuses (e.g. a temp dir that is itself on overlayfs): the caller then unpacks a private copy.
 */
export async function mountOverlay(lower: string, dir: string): Promise<OverlayMount | undefined> {
  const upper = join(dir, 'upper');
  const work = join(dir, 'work');
  const merged = join(dir, 'merged');
  for (const d of [upper, work, merged]) await mkdir(d, { recursive: true, mode: 0o700 });
  // The merged root takes the upper directory's mode: it must be the image root's, or `/` is 0700 to non-root.
  await chmod(upper, (await stat(lower)).mode & 0o7777);
  // Commas and colons separate overlay options; our temp paths never contain them, but refuse rather than guess.
  if (/[,:]/.test(lower + upper + work)) return undefined;
  const r = await run('mount', [
    '-t',
    'overlay',
    'overlay',
    '-o',
    `lowerdir=${lower},upperdir=${upper},workdir=${work}`,
    merged,
  ]);
  if (r.code !== 0) return undefined;
  return {
    merged,
    async unmount() {
      // A lazy unmount cannot fail on a busy mount (a process still exiting); the tree goes once it is free.
      await run('umount', ['-l', merged]);
    },
  };
}
