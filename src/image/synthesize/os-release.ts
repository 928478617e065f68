import { fail } from '../../core/index.ts';
import type { FileNode } from '../file-tree.ts';
import { fileNode, symlinkNode } from './nodes.ts';

/**
 * os-release(5) for an image. Scanners (trivy, grype, syft) identify the distribution from ID and VERSION_ID,
 * so those stay exactly Debian's; only PRETTY_NAME says the image is ours. Debian ships the file at
 * /usr/lib/os-release with /etc/os-release a relative symlink to it, and we do the same.
 */

export interface DistroRelease {
  /** `debian`. */
  readonly id: string;
  /** `Debian GNU/Linux`. */
  readonly name: string;
  /** `12`. */
  readonly versionId: string;
  /** `bookworm`. */
  readonly versionCodename: string;
  readonly homeUrl?: string;
  readonly supportUrl?: string;
  readonly bugReportUrl?: string;
}

export const DEBIAN_URLS = {
  homeUrl: 'https://www.debian.org/',
  supportUrl: 'https://www.debian.org/support',
  bugReportUrl: 'https://bugs.debian.org/',
} as const;

/** os-release(5): values with shell-special characters are double-quoted with `"`, `\`, `$` and `` ` `` escaped. */
function quote(value: string): string {
  if (/[\n\0]/.test(value)) fail('INVALID_INPUT', 'os-release values cannot contain newlines');
  return `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

/** The os-release text for `image` built from `distro`, keys in the order Debian's file uses. */
export function osReleaseText(image: string, distro: DistroRelease): string {
  const version = `${distro.versionId} (${distro.versionCodename})`;
  const lines: [string, string][] = [
    ['PRETTY_NAME', quote(`Ironclad ${image} (${distro.name} ${version})`)],
    ['NAME', quote(distro.name)],
    ['VERSION_ID', quote(distro.versionId)],
    ['VERSION', quote(version)],
    // Unquoted as in Debian's file; the schema allows only [a-z0-9._-] here.
    ['VERSION_CODENAME', checkId(distro.versionCodename)],
    ['ID', checkId(distro.id)],
    ['HOME_URL', quote(distro.homeUrl ?? DEBIAN_URLS.homeUrl)],
    ['SUPPORT_URL', quote(distro.supportUrl ?? DEBIAN_URLS.supportUrl)],
    ['BUG_REPORT_URL', quote(distro.bugReportUrl ?? DEBIAN_URLS.bugReportUrl)],
  ];
  return lines.map(([k, v]) => `${k}=${v}\n`).join('');
}

/** os-release(5): ID and VERSION_CODENAME are lower-case letters, digits, `.`, `_` and `-`. */
function checkId(value: string): string {
  if (!/^[a-z0-9._-]+$/.test(value)) fail('INVALID_INPUT', `"${value}" is not a valid os-release identifier`);
  return value;
}

/** `usr/lib/os-release` and the `etc/os-release -> ../usr/lib/os-release` link. */
export function osReleaseNodes(image: string, distro: DistroRelease, mtime: number): FileNode[] {
  return [
    fileNode('usr/lib/os-release', osReleaseText(image, distro), { mtime }),
    symlinkNode('etc/os-release', '../usr/lib/os-release', { mtime }),
  ];
}
