import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A conventional Debian system packed as an OCI image by independent tools. */
export interface DebianSystemImage {
  /** The unpacked root filesystem mmdebstrap made. */
  readonly rootfs: string;
  /** The OCI image layout umoci wrote. */
  readonly layout: string;
  /** The tag of the image in `layout`. */
  readonly tag: string;
}

/**
 * Builds a real Debian system with `mmdebstrap --variant=apt SUITE` (needs root and the Debian archive) and packs
 * it into an OCI layout with umoci, so neither the filesystem nor the image comes from our own code. Both end up
 * under `work` (`rootfs/`, `layout/`), tagged `latest`.
 */
export async function buildDebianSystemImage(work: string, suite = 'bookworm'): Promise<DebianSystemImage> {
  const rootfs = join(work, 'rootfs');
  const layout = join(work, 'layout');
  const tag = 'latest';
  await mkdir(work, { recursive: true });
  await run('mmdebstrap', ['--quiet', '--variant=apt', '--format=directory', suite, rootfs]);
  await run('umoci', ['init', '--layout', layout]);
  await run('umoci', ['new', '--image', `${layout}:${tag}`]);
  await run('umoci', ['insert', '--image', `${layout}:${tag}`, rootfs, '/']);
  return { rootfs, layout, tag };
}

/** `dpkg-query -W` over the system's dpkg database: package name → installed version. */
export async function installedVersions(rootfs: string): Promise<Map<string, string>> {
  // dpkg-query's own format syntax, not a JavaScript template.
  const format = `\${Package} \${Version}\\n`;
  const { stdout } = await run('dpkg-query', ['-W', `--admindir=${rootfs}/var/lib/dpkg`, '-f', format]);
  const out = new Map<string, string>();
  for (const line of stdout.trim().split('\n')) {
    const [name, version] = line.split(' ');
    if (name !== undefined && version !== undefined) out.set(name, version);
  }
  return out;
}
