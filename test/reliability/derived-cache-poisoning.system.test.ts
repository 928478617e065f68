import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { Home, silentLogger } from '../../src/core/index.ts';
import {
  cachedDebContents,
  DEB_BYTES_KIND,
  DEB_CONTENTS_FORMAT,
  DEB_CONTENTS_KIND,
  type DebContentsPayload,
  debContentsCache,
  debContentsPayload,
} from '../../src/image/deb-cache.ts';
import { entryPath, sealEntry } from '../../src/image/derived-cache.ts';
import { flattenImage, openImageSource, parseImageRef } from '../../src/oci/index.ts';
import { captureIO } from '../support/cli-io.ts';
import { createFixtureArchive, type FixtureArchive, writeFixtureDistroFile } from '../support/fixture-archive.ts';

/**
 * Issue 12, item 1: nothing a derived cache holds can change an image undetected. The attacker can write the
 * cache directory (a shared CI cache, another local user): they rewrite the parsed-.deb entry of ca-certificates
 * so that the CA bundle of the built image trusts their root, and recompute whatever checksum the entry has.
 */

const GOOD = '-----BEGIN CERTIFICATE-----\nR09PRCBST09U\n-----END CERTIFICATE-----\n';
const EVIL = '-----BEGIN CERTIFICATE-----\nRVZJTCBST09U\n-----END CERTIFICATE-----\n';
const BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const DEFINITION = `name: certs
distro: fixture
platforms: [linux/amd64]
tags: ["1"]
packages: [ca-certificates, hello]
`;

describe('derived-cache poisoning', () => {
  let fx: FixtureArchive;
  let dir: string;
  let home: string;
  let cleanDigest: string;
  const caSha = () => fx.debs.get('ca-certificates_20250419_all')!.sha256;
  const helloSha = () => fx.debs.get('hello_1.0_amd64')!.sha256;

  const cli = async (...args: string[]) => {
    const io = captureIO(dir, { IRONCLAD_HOME: home, IRONCLAD_PASSWORD: 'pw' });
    io.log = { ...silentLogger, warn: (m) => io.err.push(`warning: ${m}`) };
    const status = await runCli(args, io);
    return { status, out: io.out.join('\n'), err: io.err.join('\n') };
  };
  const build = (...extra: string[]) =>
    cli('build', 'certs', '--distros', 'distros', '--no-test', '--key', 'ironclad.key', '--format', 'json', ...extra);

  /** The CA bundle and manifest digest of `certs:1` as the local store holds it. */
  async function builtImage(): Promise<{ bundle: string; digest: string }> {
    const source = openImageSource(parseImageRef('certs:1'), { home: new Home(home) });
    const image = await source.resolve({ os: 'linux', architecture: 'amd64' });
    const fs = await flattenImage(image);
    return { bundle: Buffer.from(await fs.readFile(BUNDLE, 1 << 20)).toString(), digest: image.digest };
  }

  const debEntry = (sha: string) =>
    entryPath(new Home(home), { kind: DEB_CONTENTS_KIND, format: DEB_CONTENTS_FORMAT, key: sha });
  const bytesEntry = (sha: string) =>
    entryPath(new Home(home), { kind: DEB_BYTES_KIND, format: DEB_CONTENTS_FORMAT, key: sha });

  /** Seals both entries of a parsed .deb (metadata and files' bytes) with `secret`, over what the cache held. */
  async function writeDebEntries(sha: string, payload: DebContentsPayload, secret: Uint8Array): Promise<void> {
    const id = { format: DEB_CONTENTS_FORMAT, key: sha };
    await writeFile(debEntry(sha), sealEntry({ ...id, kind: DEB_CONTENTS_KIND }, payload.metadata, secret));
    await writeFile(bytesEntry(sha), sealEntry({ ...id, kind: DEB_BYTES_KIND }, payload.bytes, secret));
  }

  /** The ca-certificates entries with an extra certificate file, as the attacker makes them. */
  async function poisonedPayload(): Promise<DebContentsPayload> {
    const contents = await cachedDebContents(caSha(), debContentsCache({ home: new Home(home), log: silentLogger }));
    assert.ok(contents);
    const good = contents.entries.find((e) => e.path.endsWith('Good_Root.crt'))!;
    const evil = { ...good, path: good.path.replace('Good_Root', 'Evil_Root'), data: Buffer.from(EVIL) };
    // The payload keeps the digests of its files: the attacker's encoding recomputes those as well.
    return debContentsPayload({ ...contents, entries: [...contents.entries, evil] });
  }

  before(async () => {
    fx = await createFixtureArchive({
      suites: [
        {
          name: 'fixture',
          packages: [
            {
              name: 'ca-certificates',
              version: '20250419',
              architecture: 'all',
              files: [{ path: '/usr/share/ca-certificates/mozilla/Good_Root.crt', content: GOOD }],
            },
            { name: 'hello', version: '1.0', files: [{ path: '/usr/bin/hello', content: 'hello\n', mode: 0o755 }] },
          ],
        },
      ],
    });
    dir = await mkdtemp(join(tmpdir(), 'rel-cache-'));
    home = join(dir, 'home');
    await mkdir(join(dir, 'distros'));
    await writeFixtureDistroFile(fx, join(dir, 'distros'));
    await mkdir(join(dir, 'certs'));
    await writeFile(join(dir, 'certs/image.yaml'), DEFINITION);
    assert.equal((await cli('lock', 'certs', '--distros', 'distros')).status, 0);
    assert.equal((await cli('keygen')).status, 0);
    const first = await build();
    assert.equal(first.status, 0, first.err);
    const clean = await builtImage();
    assert.equal(clean.bundle, GOOD);
    cleanDigest = clean.digest;
  });
  after(async () => {
    await fx.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('an entry and checksum rewritten without the secret: discarded, rebuilt, the image is clean', async () => {
    // The best the attacker can do without the home's secret: seal with a key of their own.
    await writeDebEntries(caSha(), await poisonedPayload(), randomBytes(32));
    const r = await build();
    assert.equal(r.status, 0, r.err);
    assert.match(r.err, /discarding deb-contents entry .*seal \(HMAC\) does not verify/);
    const image = await builtImage();
    assert.doesNotMatch(image.bundle, /RVZJTCBST09U/);
    assert.equal(image.digest, cleanDigest);
  });

  test("another package's entry in its place: discarded and rebuilt, never fatal", async () => {
    await writeFile(debEntry(caSha()), await readFile(debEntry(helloSha())));
    const r = await build();
    assert.equal(r.status, 0, r.err);
    assert.match(r.err, /discarding deb-contents entry .*entry is for key/);
    assert.equal((await builtImage()).digest, cleanDigest);
  });

  test('a layer entry pointing at another stored layer is caught by its diffId', async () => {
    const secret = await readFile(join(home, 'derived-cache.key'));
    const format = `gzip-6-zlib-${process.versions.zlib}`;
    const root = join(home, 'cache', 'derived', 'layers', format);
    const files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
    assert.ok(files.length >= 2);
    const [a, b] = files as [(typeof files)[0], (typeof files)[0]];
    const payloadOf = async (f: typeof a) => {
      const bytes = await readFile(join(f.parentPath, f.name));
      return bytes.subarray(bytes.indexOf(0x0a, bytes.indexOf(0x0a) + 1) + 1, bytes.length - 32);
    };
    const forged = JSON.parse((await payloadOf(b)).toString());
    forged.uncompressedSize = JSON.parse((await payloadOf(a)).toString()).uncompressedSize;
    const id = { kind: 'layers', format, key: a.name };
    await writeFile(join(a.parentPath, a.name), sealEntry(id, Buffer.from(JSON.stringify(forged)), secret));
    // Layers found by their keys never reach the diffId entries: without keys, every layer is looked up by diffId.
    await rm(join(home, 'cache', 'derived', 'layer-keys'), { recursive: true, force: true });
    const r = await build();
    assert.equal(r.status, 0, r.err);
    assert.match(r.err, /discarding layers entry .*holds another layer/);
    assert.equal((await builtImage()).digest, cleanDigest);
  });

  test('an entry forged WITH the secret: --no-cache, rebuild --verify and cache verify all catch it', async () => {
    // An attacker who can read the home holds the secret too; the seal then verifies.
    const secret = await readFile(join(home, 'derived-cache.key'));
    await writeDebEntries(caSha(), await poisonedPayload(), secret);
    const poisoned = await build();
    assert.equal(poisoned.status, 0, poisoned.err);
    const image = await builtImage();
    assert.match(image.bundle, /RVZJTCBST09U/, 'the build trusted the sealed entry (what the other checks are for)');

    // rebuild --verify reads no derived cache: it cannot call the poisoned image reproducible.
    const rebuilt = await cli('rebuild', 'certs:1', '--verify', '--key', 'ironclad.pub', '--distros', 'distros');
    assert.equal(rebuilt.status, 3, rebuilt.out);
    assert.match(rebuilt.out, /DIFFERENT/);
    assert.match(rebuilt.out, /rebuilt\s+sha256:/);
    assert.doesNotMatch(rebuilt.out, /^identical/m);
    assert.match(rebuilt.err, /does not rebuild to the same digest/);

    // --no-cache builds from the verified .debs alone.
    assert.equal((await build('--no-cache')).status, 0);
    assert.equal((await builtImage()).digest, cleanDigest);

    // cache verify re-derives the entry from its .deb, reports it, removes it, and exits 3.
    await writeDebEntries(caSha(), await poisonedPayload(), secret);
    const verify = await cli('cache', 'verify', '--format', 'json');
    assert.equal(verify.status, 3);
    const report = JSON.parse(verify.out);
    assert.deepEqual(
      report.problems.map((p: { kind: string; key: string }) => [p.kind, p.key]),
      [['deb-contents', caSha()]],
      `cache verify reported: ${JSON.stringify(report.problems)}`,
    );
    assert.match(report.problems[0].reason, /differs from what its verified \.deb gives/);
    await assert.rejects(stat(debEntry(caSha())));
    const again = await cli('cache', 'verify');
    assert.equal(again.status, 0, again.out);
    assert.match(again.out, /all entries verified/);
    assert.equal((await build()).status, 0);
    assert.equal((await builtImage()).digest, cleanDigest);
  });

  test("a file's cached bytes changed: checked when read, discarded, built again; the image is clean", async () => {
    // Builds read a file's bytes only when they need them, without the bytes entry's seal: each file is checked
    // against the sha256 its sealed metadata holds. Even sealed WITH the secret, changed bytes are caught.
    const secret = await readFile(join(home, 'derived-cache.key'));
    const id = { kind: DEB_BYTES_KIND, format: DEB_CONTENTS_FORMAT, key: caSha() };
    const sealed = await readFile(bytesEntry(caSha()));
    const bytes = sealed.subarray(sealed.indexOf(0x0a, sealed.indexOf(0x0a) + 1) + 1, sealed.length - 32);
    const swapped = Buffer.from(bytes.toString('latin1').replace('R09PRCBST09U', 'RVZJTCBST09U'), 'latin1');
    assert.notDeepEqual(swapped, bytes);
    await writeFile(bytesEntry(caSha()), sealEntry(id, swapped, secret));
    const r = await build();
    assert.equal(r.status, 0, r.err);
    assert.match(r.err, /discarding deb-contents entry .*do not match their sealed sha256/);
    assert.match(r.err, /building linux\/amd64 again/);
    const image = await builtImage();
    assert.doesNotMatch(image.bundle, /RVZJTCBST09U/);
    assert.equal(image.digest, cleanDigest);

    // Bytes no build reads (the layer is found by its key) change no image; cache verify checks their seal.
    const helloId = { ...id, key: helloSha() };
    await writeFile(bytesEntry(helloSha()), sealEntry(helloId, Buffer.from('HELLO\n'), randomBytes(32)));
    assert.equal((await build()).status, 0);
    assert.equal((await builtImage()).digest, cleanDigest);
    const verify = await cli('cache', 'verify', '--format', 'json');
    assert.equal(verify.status, 3);
    const problems = JSON.parse(verify.out).problems.map((p: { kind: string; key: string }) => [p.kind, p.key]);
    assert.deepEqual(problems, [
      ['deb-contents', helloSha()],
      ['deb-contents-bytes', helloSha()],
    ]);
    assert.equal((await build()).status, 0);
    assert.equal((await builtImage()).digest, cleanDigest);
  });

  test('a cache without its secret (copied from elsewhere) is rebuilt, not believed', async () => {
    // A home that got only `cache/` from elsewhere (a restored CI cache) has a secret of its own.
    const other = join(dir, 'home2');
    await mkdir(other);
    await cp(join(home, 'cache'), join(other, 'cache'), { recursive: true });
    const io = captureIO(dir, { IRONCLAD_HOME: other, IRONCLAD_PASSWORD: 'pw' });
    const warnings: string[] = [];
    io.log = { ...silentLogger, warn: (m) => warnings.push(m) };
    assert.equal(await runCli(['build', 'certs', '--distros', 'distros', '--no-test'], io), 0, io.err.join('\n'));
    assert.match(warnings.join('\n'), /seal \(HMAC\) does not verify/);
    const image = await openImageSource(parseImageRef('certs:1'), { home: new Home(other) }).resolve();
    assert.equal(image.digest, cleanDigest);
  });
});
