import type { FileNode, FileTree } from '../file-tree.ts';
import { comparePaths } from '../tree-builder.ts';
import { fileNode, symlinkNode } from './nodes.ts';

/**
 * The CA bundle that the ca-certificates package's maintainer scripts would build. Its postinst writes
 * /etc/ca-certificates.conf listing every `*.crt` regular file under /usr/share/ca-certificates (relative
 * paths, sorted), all enabled; update-ca-certificates then appends each listed file to
 * /etc/ssl/certs/ca-certificates.crt in that order, adding a final newline where one is missing.
 */

const CERT_DIR = 'usr/share/ca-certificates/';
export const CA_BUNDLE_PATH = 'etc/ssl/certs/ca-certificates.crt';

/** The bundle bytes from the certificates in the tree, or `undefined` when ca-certificates is not installed. */
export function caBundle(tree: FileTree): Uint8Array | undefined {
  if (!tree.packages.some((p) => p.locked.name === 'ca-certificates')) return undefined;
  const certs = [...tree.nodes.values()]
    .filter(
      (n) => (n.type === 'file' || n.type === 'hardlink') && n.path.startsWith(CERT_DIR) && n.path.endsWith('.crt'),
    )
    .sort((a, b) => comparePaths(a.path, b.path));
  const parts: Uint8Array[] = [];
  for (const cert of certs) {
    if (cert.type !== 'file' && cert.type !== 'hardlink') continue;
    parts.push(cert.data);
    if (cert.data.length > 0 && cert.data[cert.data.length - 1] !== 0x0a) parts.push(new Uint8Array([0x0a]));
  }
  return Buffer.concat(parts);
}

/**
 * The bundle at /etc/ssl/certs/ca-certificates.crt and OpenSSL's default CA file /usr/lib/ssl/cert.pem linked
 * to it; nothing when ca-certificates is not installed.
 */
export function caCertificateNodes(tree: FileTree, mtime: number): FileNode[] {
  const bundle = caBundle(tree);
  if (bundle === undefined) return [];
  return [
    fileNode(CA_BUNDLE_PATH, bundle, { mtime }),
    symlinkNode('usr/lib/ssl/cert.pem', `/${CA_BUNDLE_PATH}`, { mtime }),
  ];
}
