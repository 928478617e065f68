import { createHash, X509Certificate } from 'node:crypto';
import { posix } from 'node:path';
import { fail } from '../../core/index.ts';
import type { FileNode, FileTree } from '../file-tree.ts';
import { type DataNode, trustedCertificates } from './ca-certificates.ts';
import { fileNode } from './nodes.ts';

/**
 * The Java trust store that ca-certificates-java's maintainer scripts would build. Its postinst pipes
 * `+/etc/ssl/certs/NAME.pem` for every certificate update-ca-certificates enabled into its keytool-like jar,
 * which imports each as a trusted-certificate entry named `debian:NAME.pem` into /etc/ssl/certs/java/cacerts,
 * a JKS keystore with the password `changeit` (Debian 12 and 13 convert a PKCS12 store back to JKS). Every
 * JDK's `lib/security/cacerts` is a link to it, so it is the default trust store of every Java program.
 *
 * The entries' creation dates are the image's epoch instead of the moment of the build, so the store is a pure
 * function of the certificates.
 */

export const JAVA_CACERTS_PATH = 'etc/ssl/certs/java/cacerts';
/** The password the postinst uses (`storepass` in /etc/default/cacerts) and keytool's default for -cacerts. */
const STOREPASS = 'changeit';
const JKS_MAGIC = 0xfeedfeed;
const JKS_VERSION = 2;
const TRUSTED_CERT_ENTRY = 2;

/** The keystore node, or nothing when ca-certificates-java is not installed or there is no certificate. */
export function javaCacertsNodes(tree: FileTree, mtime: number): FileNode[] {
  if (!tree.packages.some((p) => p.locked.name === 'ca-certificates-java')) return [];
  const certs = trustedCertificates(tree);
  if (certs === undefined || certs.length === 0) return [];
  const entries = certs.flatMap((c) => {
    const der = derOf(c);
    return der === undefined ? [] : [{ alias: aliasOf(c), der }];
  });
  return [fileNode(JAVA_CACERTS_PATH, jksTrustStore(entries, mtime * 1000, STOREPASS), { mtime })];
}

/**
 * update-ca-certificates names the link of `DIR/NAME.crt` /etc/ssl/certs/NAME.pem, with spaces and commas made
 * underscores and parentheses made `=`; the jar prefixes `debian:`, and JKS keeps aliases in lower case.
 */
function aliasOf(cert: DataNode): string {
  const name = posix.basename(cert.path, '.crt').replaceAll(' ', '_').replaceAll(/[()]/g, '=').replaceAll(',', '_');
  return `debian:${name}.pem`.toLowerCase();
}

/**
 * The first certificate of the file, DER-encoded, as the jar's CertificateFactory reads it; `undefined` for a
 * file that holds none, which the jar skips (local certificates were already refused by trustedCertificates).
 */
function derOf(cert: DataNode): Uint8Array | undefined {
  const data = cert.data; // outside the try: a file whose bytes cannot be read must fail, not be skipped
  try {
    return new X509Certificate(data).raw;
  } catch {
    return undefined;
  }
}

export interface TrustedEntry {
  readonly alias: string;
  readonly der: Uint8Array;
}

/**
 * A JKS keystore (the format of sun.security.provider.JavaKeyStore, version 2) holding trusted-certificate
 * entries in the order given: magic, version, count, then per entry its tag, alias (Java's modified UTF-8,
 * which is UTF-8 for aliases without NUL or characters beyond the BMP), creation time in milliseconds,
 * certificate type and DER bytes; last, SHA-1 over the password (UTF-16BE), "Mighty Aphrodite" and all of the
 * above, which keytool and the JDK check when given the password.
 */
export function jksTrustStore(entries: readonly TrustedEntry[], createdMs: number, password: string): Uint8Array {
  const parts: Buffer[] = [u32(JKS_MAGIC), u32(JKS_VERSION), u32(entries.length)];
  for (const e of entries) {
    parts.push(
      u32(TRUSTED_CERT_ENTRY),
      utf(e.alias),
      u64(createdMs),
      utf('X.509'),
      u32(e.der.length),
      Buffer.from(e.der),
    );
  }
  const body = Buffer.concat(parts);
  const digest = createHash('sha1')
    .update(Buffer.from(password, 'utf16le').swap16())
    .update('Mighty Aphrodite', 'utf8')
    .update(body)
    .digest();
  return Buffer.concat([body, digest]);
}

/**
 * The same trust store with every entry's creation date set to `createdMs`. ca-certificates-java's postinst,
 * run when a dev variant is configured, writes each entry with the wall-clock time, which would make every build
 * of the image differ; the certificates and aliases are kept as the script wrote them, in its order. A store
 * that is not a JKS of trusted certificates, or whose integrity digest does not match, is refused rather than
 * rewritten: a private key or a damaged file has no business in a trust store.
 */
export function withEntryDates(store: Uint8Array, createdMs: number, password: string = STOREPASS): Uint8Array {
  const data = Buffer.from(store);
  const refuse = (why: string): never =>
    fail('HOSTILE_INPUT', `${JAVA_CACERTS_PATH} written by a maintainer script: ${why}`, {
      hint: 'the Java trust store must be a JKS of trusted certificates, as ca-certificates-java writes it',
    });
  if (data.length < 12 + 20) refuse('too short for a JKS keystore');
  const body = data.subarray(0, data.length - 20);
  const expected = createHash('sha1')
    .update(Buffer.from(password, 'utf16le').swap16())
    .update('Mighty Aphrodite', 'utf8')
    .update(body)
    .digest();
  if (!expected.equals(data.subarray(data.length - 20))) refuse('its integrity digest does not match');
  if (body.readUInt32BE(0) !== JKS_MAGIC || body.readUInt32BE(4) !== JKS_VERSION) refuse('not a version 2 JKS');
  const count = body.readUInt32BE(8);
  const entries: TrustedEntry[] = [];
  let at = 12;
  const need = (n: number) => {
    if (at + n > body.length) refuse('an entry runs past the end of the file');
  };
  const readUtf = (): string => {
    need(2);
    const len = body.readUInt16BE(at);
    need(2 + len);
    const text = body.subarray(at + 2, at + 2 + len).toString('utf8');
    at += 2 + len;
    return text;
  };
  for (let i = 0; i < count; i++) {
    need(4);
    if (body.readUInt32BE(at) !== TRUSTED_CERT_ENTRY) refuse(`entry ${i + 1} is not a trusted certificate`);
    at += 4;
    const alias = readUtf();
    need(8);
    at += 8;
    if (readUtf() !== 'X.509') refuse(`entry ${alias} is not an X.509 certificate`);
    need(4);
    const len = body.readUInt32BE(at);
    at += 4;
    need(len);
    entries.push({ alias, der: body.subarray(at, at + len) });
    at += len;
  }
  if (at !== body.length) refuse('bytes follow the last entry');
  return jksTrustStore(entries, createdMs, password);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

function utf(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length > 0xffff || s.includes('\0') || /[\uD800-\uDFFF]/.test(s)) {
    fail('DEFINITION_INVALID', `Java keystore alias ${JSON.stringify(s)} cannot be written as modified UTF-8`);
  }
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
}
