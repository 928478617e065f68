import { X509Certificate } from 'node:crypto';
import { fail } from '../../core/index.ts';
import type { FileNode, FileTree } from '../file-tree.ts';
import { comparePaths } from '../tree-builder.ts';
import { fileNode, symlinkNode } from './nodes.ts';

/**
 * The CA bundle that the ca-certificates package's maintainer scripts would build. Its postinst writes
 * /etc/ca-certificates.conf listing every `*.crt` regular file under /usr/share/ca-certificates (relative
 * paths, sorted), all enabled; update-ca-certificates then appends each listed file to
 * /etc/ssl/certs/ca-certificates.crt in that order, adding a final newline where one is missing. Local
 * certificates (`*.crt` under /usr/local/share/ca-certificates, as a definition's `paths` adds them) come
 * after those, sorted, each also linked as /etc/ssl/certs/NAME.pem.
 */

const CERT_DIR = 'usr/share/ca-certificates/';
const LOCAL_CERT_DIR = 'usr/local/share/ca-certificates/';
export const CA_BUNDLE_PATH = 'etc/ssl/certs/ca-certificates.crt';

export type DataNode = Extract<FileNode, { data: Uint8Array }>;

function certsUnder(tree: FileTree, dir: string): DataNode[] {
  return [...tree.nodes.values()]
    .filter((n): n is DataNode => (n.type === 'file' || n.type === 'hardlink') && n.path.startsWith(dir))
    .filter((n) => n.path.endsWith('.crt'))
    .sort((a, b) => comparePaths(a.path, b.path));
}

/** The bundle bytes from the certificates in the tree (see `trustedCertificates`), or `undefined`. */
export function caBundle(tree: FileTree): Uint8Array | undefined {
  const certs = trustedCertificates(tree);
  if (certs === undefined) return undefined;
  const parts: Uint8Array[] = [];
  for (const cert of certs) {
    parts.push(cert.data);
    if (cert.data.length > 0 && cert.data[cert.data.length - 1] !== 0x0a) parts.push(new Uint8Array([0x0a]));
  }
  return Buffer.concat(parts);
}

/**
 * The certificate files update-ca-certificates would enable, in its order (the package's, then local ones), or
 * `undefined` when there is neither the ca-certificates package nor a local certificate. Throws
 * DEFINITION_INVALID for a local `.crt` that is not a PEM certificate (update-ca-certificates would skip it with a
 * warning; a definition deserves an error).
 */
export function trustedCertificates(tree: FileTree): DataNode[] | undefined {
  const installed = tree.packages.some((p) => p.locked.name === 'ca-certificates');
  const packaged = installed ? certsUnder(tree, CERT_DIR) : [];
  const local = certsUnder(tree, LOCAL_CERT_DIR);
  if (!installed && local.length === 0) return undefined;
  for (const cert of local) checkPem(cert);
  return [...packaged, ...local];
}

function checkPem(cert: DataNode): void {
  const text = Buffer.from(cert.data).toString('latin1');
  let ok = text.includes('-----BEGIN CERTIFICATE-----');
  if (ok) {
    try {
      new X509Certificate(cert.data);
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    fail('DEFINITION_INVALID', `/${cert.path} is not a PEM certificate`, {
      hint: 'convert it with: openssl x509 -inform der -in CERT -out CERT.crt',
    });
  }
}

/**
 * The bundle at /etc/ssl/certs/ca-certificates.crt, OpenSSL's default CA file /usr/lib/ssl/cert.pem linked to
 * it, and a NAME.pem link per local certificate; nothing when there are no certificates to bundle.
 */
export function caCertificateNodes(tree: FileTree, mtime: number): FileNode[] {
  const bundle = caBundle(tree);
  if (bundle === undefined) return [];
  const links = certsUnder(tree, LOCAL_CERT_DIR).map((c) => {
    const name = c.path
      .slice(LOCAL_CERT_DIR.length)
      .replaceAll('/', '_')
      .replace(/\.crt$/, '.pem');
    return symlinkNode(`etc/ssl/certs/${name}`, `/${c.path}`, { mtime });
  });
  return [
    fileNode(CA_BUNDLE_PATH, bundle, { mtime }),
    symlinkNode('usr/lib/ssl/cert.pem', `/${CA_BUNDLE_PATH}`, { mtime }),
    ...links,
  ];
}
