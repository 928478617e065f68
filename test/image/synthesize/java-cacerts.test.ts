import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { assemble } from '../../../src/image/assemble.ts';
import { JAVA_CACERTS_PATH, javaCacertsNodes, withEntryDates } from '../../../src/image/synthesize/java-cacerts.ts';
import { pkg } from '../in-memory-deb.ts';

const dir = mkdtempSync(join(tmpdir(), 'ironclad-java-cacerts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed CA certificate made with the host's openssl. */
function caCertificate(cn: string): string {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem'].concat([
      '-out',
      'c.pem',
      '-days',
      '3650',
      '-subj',
      `/CN=${cn}`,
    ]),
    { cwd: dir, stdio: 'pipe' },
  );
  return readFileSync(join(dir, 'c.pem'), 'utf8');
}

const EPOCH = 1_700_000_000;
const first = caCertificate('First Root');
const second = caCertificate('Second Root');
const local = caCertificate('Corp Root');
writeFileSync(join(dir, 'first.pem'), first);
writeFileSync(join(dir, 'second.pem'), second);

function tree(withJava: boolean) {
  return assemble(
    [
      pkg('ca-certificates', [
        { file: 'usr/share/ca-certificates/mozilla/First_Root.crt', content: first },
        { file: 'usr/share/ca-certificates/mozilla/Second Root (G2).crt', content: second },
      ]),
      ...(withJava ? [pkg('ca-certificates-java', [{ file: 'usr/share/ca-certificates-java/x.jar' }])] : []),
      pkg('corp', [{ file: 'usr/local/share/ca-certificates/corp.crt', content: local }]),
    ],
    { stripSetuid: true, epoch: EPOCH },
  );
}

/** keytool, the JDK's own reader, checks the store's digest with the password and lists its entries. */
function keytoolList(store: Uint8Array, password: string): string {
  const file = join(dir, 'cacerts');
  writeFileSync(file, store);
  return execFileSync('keytool', ['-list', '-v', '-keystore', file, '-storepass', password], {
    encoding: 'utf8',
    stdio: 'pipe',
    env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' },
  });
}

test('ca-certificates-java gets a JKS trust store of every enabled certificate, as its postinst would write it', () => {
  const nodes = javaCacertsNodes(tree(true), EPOCH);
  assert.equal(nodes.length, 1);
  const node = nodes[0]!;
  assert.equal(node.path, JAVA_CACERTS_PATH);
  assert.equal(node.type === 'file' && node.mode, 0o644);
  const data = node.type === 'file' ? node.data : new Uint8Array();
  const listing = keytoolList(data, 'changeit');
  assert.match(listing, /Keystore type: JKS/i);
  assert.match(listing, /Your keystore contains 3 entries/);
  const aliases = [...listing.matchAll(/^Alias name: (.*)$/gm)].map((m) => m[1]);
  assert.deepEqual(aliases.sort(), ['debian:corp.pem', 'debian:first_root.pem', 'debian:second_root_=g2=.pem']);
  assert.equal([...listing.matchAll(/Entry type: trustedCertEntry/g)].length, 3);
  // Creation dates are the epoch (2023-11-14), not the moment of the build.
  assert.equal([...listing.matchAll(/Creation date: Nov 14, 2023/g)].length, 3);
  assert.match(listing, /Owner: CN=Second Root/);
});

test('the store is a pure function of the certificates and the epoch', () => {
  const a = javaCacertsNodes(tree(true), EPOCH)[0];
  const b = javaCacertsNodes(tree(true), EPOCH)[0];
  assert.ok(a?.type === 'file' && b?.type === 'file');
  assert.deepEqual(Buffer.from(a.data), Buffer.from(b.data));
});

test('a wrong password fails the integrity check, so the digest is the real one', () => {
  const node = javaCacertsNodes(tree(true), EPOCH)[0];
  assert.ok(node?.type === 'file');
  assert.throws(
    () => keytoolList(node.data, 'wrongpass'),
    (e: { stdout?: string; stderr?: Buffer }) => /password was incorrect/.test(`${e.stdout}${e.stderr}`),
  );
});

test('no Java trust store without ca-certificates-java', () => {
  assert.deepEqual(javaCacertsNodes(tree(false), EPOCH), []);
});

/** A JKS store made by keytool itself, as ca-certificates-java's postinst makes it: entries dated now. */
function keytoolStore(name: string, args: readonly string[][]): Uint8Array {
  const file = join(dir, name);
  rmSync(file, { force: true });
  for (const a of args) {
    execFileSync('keytool', [...a, '-keystore', file, '-storetype', 'JKS', '-storepass', 'changeit', '-noprompt'], {
      cwd: dir,
      stdio: 'pipe',
    });
  }
  return readFileSync(file);
}

test('a trust store a maintainer script wrote with the time of the build gets the epoch as every entry date', () => {
  const written = keytoolStore('script-cacerts', [
    ['-importcert', '-alias', 'debian:first_root.pem', '-file', 'first.pem'],
    ['-importcert', '-alias', 'debian:second_root.pem', '-file', 'second.pem'],
  ]);
  const dated = withEntryDates(written, EPOCH * 1000);
  const listing = keytoolList(dated, 'changeit');
  assert.match(listing, /Your keystore contains 2 entries/);
  assert.equal([...listing.matchAll(/Creation date: Nov 14, 2023/g)].length, 2);
  assert.deepEqual(keytoolList(written, 'changeit').match(/Alias name: .*/g), listing.match(/Alias name: .*/g));
  // Two builds a second apart wrote different bytes; both come out the same.
  assert.deepEqual(Buffer.from(withEntryDates(dated, EPOCH * 1000)), Buffer.from(dated));
});

test('a trust store holding a private key, or with a wrong digest, is refused rather than rewritten', () => {
  const withKey = keytoolStore('key-cacerts', [
    [
      '-genkeypair',
      '-alias',
      'k',
      '-keyalg',
      'EC',
      '-groupname',
      'secp256r1',
      '-dname',
      'CN=k',
      '-keypass',
      'changeit',
    ],
  ]);
  assert.throws(() => withEntryDates(withKey, 0), /not a trusted certificate/);
  const damaged = Buffer.from(
    withEntryDates(keytoolStore('one', [['-importcert', '-alias', 'a', '-file', 'first.pem']]), 0),
  );
  damaged[20] = (damaged[20] ?? 0) ^ 1;
  assert.throws(() => withEntryDates(damaged, 0), /integrity digest does not match/);
});
