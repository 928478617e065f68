import type { FileNode } from '../file-tree.ts';
import { fileNode } from './nodes.ts';

/**
 * `/etc/nsswitch.conf` (nsswitch.conf(5)). Debian's base-files installs it from a maintainer script, which we do
 * not run. Images have no NSS modules beyond glibc's built-in `files` and `dns`, so every database reads local
 * files, and host names also go to DNS, as in distroless images.
 */
export const NSSWITCH_CONF = `passwd:         files
group:          files
shadow:         files
gshadow:        files

hosts:          files dns
networks:       files

protocols:      files
services:       files
ethers:         files
rpc:            files
`;

export function nsswitchNode(mtime: number): FileNode {
  return fileNode('etc/nsswitch.conf', NSSWITCH_CONF, { mtime });
}
