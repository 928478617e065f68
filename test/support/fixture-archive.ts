import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, sep } from 'node:path';
import { compress as xzCompress } from '@napi-rs/lzma/xz';
import * as openpgp from 'openpgp';
import type { Distro } from '../../src/debian/index.ts';
import { type BuiltDeb, type DebSpec, makeDeb, serializeControl } from './make-deb.ts';

/**
 * A tiny, real, signed apt archive on 127.0.0.1 for tests: a fresh OpenPGP key (written as a binary keyring),
 * .debs built with dpkg-deb, Packages + Packages.xz, a Release with SHA256 hashes and a cleartext-signed InRelease,
 * served over HTTP with a request log and fault injection. `distro` opens it with `openArchive`.
 *
 *   const fx = await createFixtureArchive({ suites: [{ name: 'fixture', packages: [{ name: 'hello', version: '1.0' }] }] });
 *   try { const archive = await openArchive(fx.distro, ctx, { architecture: 'amd64' }); } finally { await fx.close(); }
 */

export interface FixturePackage extends DebSpec {
  /** Default `main`. */
  readonly component?: string;
}

export interface FixtureSuite {
  /** The `dists/` directory and the Release `Suite:`. */
  readonly name: string;
  /** Release `Codename:`; default `name`. */
  readonly codename?: string;
  readonly packages: readonly FixturePackage[];
  /** Architectures besides `all`; default: those of the packages, or `amd64`. */
  readonly architectures?: readonly string[];
  /**
   * Keep arch-all packages in a separate `binary-all` index (Release lists `all`). Default false: like Debian,
   * list them in every `binary-<arch>` index and say `No-Support-for-Architecture-all: Packages`.
   */
  readonly separateArchAll?: boolean;
  /** Release `Date:`; default now. */
  readonly date?: Date;
  /** Release `Valid-Until:`; default `date` + 7 days; `null` omits the field. */
  readonly validUntil?: Date | null;
  /** Serve indices under `by-hash/SHA256/` and say `Acquire-By-Hash: yes`. Default false. */
  readonly acquireByHash?: boolean;
}

export interface FixtureArchiveOptions {
  readonly suites: readonly FixtureSuite[];
  /** Also sign every InRelease with this many extra keys that are not pinned (Debian signs with 2-3 keys). */
  readonly extraSigners?: number;
  /** The pinned key's life: created at `created` (default now), expiring `expiresInSeconds` later. */
  readonly signingKey?: { readonly created?: Date; readonly expiresInSeconds?: number };
  /** Signature creation time of every InRelease (default now); with an expiring key, a time it was valid. */
  readonly signedAt?: Date;
}

export interface FixtureArchive {
  /** Archive root URL, no trailing slash. */
  readonly url: string;
  /** The archive's directory on disk (`dists/`, `pool/`); tests may tamper with files here. */
  readonly root: string;
  /** Binary keyring file holding the signing key (and the extra signers). */
  readonly keyringPath: string;
  /** Upper-case primary fingerprint of the pinned signing key. */
  readonly fingerprint: string;
  /** A distro config for the archive: one `archive` repository with every suite, component `main` (and others used). */
  readonly distro: Distro;
  /** Built packages by `<name>_<version>_<arch>`. */
  readonly debs: ReadonlyMap<string, BuiltDeb & { readonly filename: string }>;
  /** URL paths requested so far, in order. */
  readonly requests: string[];
  /** Answer the next `times` requests for `urlPath` with `status` (for retry tests). */
  failNext(urlPath: string, status: number, times: number): void;
  /** Cleartext-signs `text` with the fixture key (to publish a modified Release). */
  sign(text: string): Promise<string>;
  /**
   * Publishes packages into an existing suite, as a security update does: the .debs join the pool, and the suite's
   * Packages, Release and signed InRelease are written again listing its old packages plus these, dated `date`
   * (default now, and never before the suite's previous Date, so rollback protection accepts it).
   */
  publish(suite: string, packages: readonly FixturePackage[], date?: Date): Promise<void>;
  close(): Promise<void>;
}

/** Builds the archive and starts serving it; call `close()` to stop the server and delete the files. */
export async function createFixtureArchive(opts: FixtureArchiveOptions): Promise<FixtureArchive> {
  const dir = await mkdtemp(join(tmpdir(), 'ironclad-archive-'));
  const root = join(dir, 'archive');
  const main = await newKey('Ironclad Fixture Archive Signing Key', opts.signingKey);
  const extra = await Promise.all(
    Array.from({ length: opts.extraSigners ?? 0 }, (_, i) => newKey(`Unpinned Fixture Key ${i + 1}`)),
  );
  const keyringPath = join(dir, 'keyring.gpg');
  const publics = [main, ...extra].map((k) => k.toPublic().write());
  await writeFile(keyringPath, Buffer.concat(publics));
  const sign = async (text: string): Promise<string> =>
    openpgp.sign({
      message: await openpgp.createCleartextMessage({ text }),
      signingKeys: [main, ...extra],
      ...(opts.signedAt !== undefined && { date: opts.signedAt }),
    });

  const debs = new Map<string, BuiltDeb & { filename: string }>();
  const components = new Set<string>();
  // What each suite lists now, so `publish` can write it again with more packages.
  const published = new Map<string, { suite: FixtureSuite; built: (BuiltDeb & { filename: string })[] }>();
  const build = async (packages: readonly FixturePackage[]) => {
    const built = await Promise.all(packages.map((p) => buildIntoPool(root, p)));
    for (const b of built) debs.set(`${b.spec.name}_${b.spec.version}_${b.spec.architecture ?? 'amd64'}`, b);
    return built;
  };
  for (const given of opts.suites) {
    const suite = { ...given, date: given.date ?? new Date() };
    const built = await build(suite.packages);
    for (const p of suite.packages) components.add(p.component ?? 'main');
    await writeSuite(root, suite, built, sign);
    published.set(suite.name, { suite, built });
  }
  const publish = async (name: string, packages: readonly FixturePackage[], date = new Date()) => {
    const current = published.get(name);
    if (current === undefined) throw new Error(`the fixture archive has no suite ${name}`);
    const previous = current.suite.date?.getTime() ?? 0;
    // Release dates have one-second resolution: a later publication must not look older than the one before.
    const dated = new Date(Math.max(date.getTime(), previous + 1000));
    const suite: FixtureSuite = { ...current.suite, date: dated, packages: [...current.suite.packages, ...packages] };
    const built = [...current.built, ...(await build(packages))];
    await writeSuite(root, suite, built, sign);
    published.set(name, { suite, built });
  };

  const requests: string[] = [];
  const faults = new Map<string, { status: number; times: number }>();
  const server = serve(root, requests, faults);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fingerprint = main.getFingerprint().toUpperCase();
  const distro: Distro = {
    name: 'fixture',
    codename: opts.suites[0]?.codename ?? opts.suites[0]?.name ?? 'fixture',
    versionId: '1',
    osRelease: {
      ID: 'debian',
      NAME: 'Fixture GNU/Linux',
      VERSION_ID: '1',
      VERSION: '1 (fixture)',
      VERSION_CODENAME: 'fixture',
      PRETTY_NAME: 'Fixture GNU/Linux 1 (fixture)',
    },
    repositories: [
      {
        role: 'archive',
        url,
        suites: opts.suites.map((s) => s.name),
        components: [...(components.size ? components : ['main'])].sort(),
      },
    ],
    keyring: keyringPath,
    signingKeys: [{ fingerprint, description: 'Ironclad Fixture Archive Signing Key' }],
    checkValidUntil: true,
  };
  return {
    url,
    root,
    keyringPath,
    fingerprint,
    distro,
    debs,
    requests,
    failNext: (urlPath, status, times) => void faults.set(urlPath, { status, times }),
    sign,
    publish,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function newKey(name: string, life: FixtureArchiveOptions['signingKey'] = {}): Promise<openpgp.PrivateKey> {
  const { privateKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [{ name, email: 'archive@example.invalid' }],
    format: 'object',
    ...(life.created !== undefined && { date: life.created }),
    ...(life.expiresInSeconds !== undefined && { keyExpirationTime: life.expiresInSeconds }),
  });
  return privateKey;
}

/** Debian pool layout: pool/<component>/<prefix>/<source>/<file>, prefix `libx` for lib* sources. */
async function buildIntoPool(root: string, p: FixturePackage): Promise<BuiltDeb & { filename: string }> {
  const source = (p.source ?? p.name).split(' ')[0]!;
  const prefix = source.startsWith('lib') ? source.slice(0, 4) : source.slice(0, 1);
  const rel = `pool/${p.component ?? 'main'}/${prefix}/${source}`;
  const built = await makeDeb(p, join(root, rel));
  return { ...built, filename: `${rel}/${built.basename}` };
}

async function writeSuite(
  root: string,
  suite: FixtureSuite,
  built: readonly (BuiltDeb & { filename: string })[],
  sign: (text: string) => Promise<string>,
): Promise<void> {
  const dist = join(root, 'dists', suite.name);
  const archOf = (b: BuiltDeb) => b.spec.architecture ?? 'amd64';
  const arches = suite.architectures ?? [...new Set(built.map(archOf).filter((a) => a !== 'all'))];
  const realArches = arches.length > 0 ? [...arches] : ['amd64'];
  const components = [...new Set(built.map((b) => (b.spec as FixturePackage).component ?? 'main'))];
  if (components.length === 0) components.push('main');
  const indexArches = suite.separateArchAll ? [...realArches, 'all'] : realArches;
  const files: { path: string; bytes: Uint8Array }[] = [];
  for (const component of components) {
    for (const arch of indexArches) {
      const listed = built.filter(
        (b) =>
          ((b.spec as FixturePackage).component ?? 'main') === component &&
          (archOf(b) === arch || (archOf(b) === 'all' && !suite.separateArchAll)),
      );
      const text = listed.map(stanza).join('\n');
      const plain = Buffer.from(text);
      files.push({ path: `${component}/binary-${arch}/Packages`, bytes: plain });
      files.push({ path: `${component}/binary-${arch}/Packages.xz`, bytes: await xzCompress(plain) });
    }
  }
  for (const f of files) {
    await writeAt(join(dist, f.path), f.bytes);
    if (suite.acquireByHash) await writeAt(join(dist, dirname(f.path), 'by-hash', 'SHA256', sha256(f.bytes)), f.bytes);
  }
  const date = suite.date ?? new Date();
  const validUntil = suite.validUntil === undefined ? new Date(date.getTime() + 7 * 86400_000) : suite.validUntil;
  const release = new Map<string, string>([
    ['Origin', 'Fixture'],
    ['Label', 'Fixture'],
    ['Suite', suite.name],
    ['Codename', suite.codename ?? suite.name],
    ['Date', date.toUTCString()],
  ]);
  if (validUntil !== null) release.set('Valid-Until', validUntil.toUTCString());
  if (suite.acquireByHash) release.set('Acquire-By-Hash', 'yes');
  if (!suite.separateArchAll) release.set('No-Support-for-Architecture-all', 'Packages');
  release.set('Architectures', (suite.separateArchAll ? ['all', ...realArches] : realArches).join(' '));
  release.set('Components', components.join(' '));
  release.set('Description', 'Ironclad test fixture');
  release.set(
    'SHA256',
    ['', ...files.map((f) => `${sha256(f.bytes)} ${String(f.bytes.length).padStart(8)} ${f.path}`)].join('\n'),
  );
  const text = serializeControl(release);
  await writeAt(join(dist, 'Release'), Buffer.from(text));
  await writeAt(join(dist, 'InRelease'), Buffer.from(await sign(text)));
}

/** A Packages stanza: the .deb's control fields plus where it is and its digests (Policy §5.3). */
function stanza(b: BuiltDeb & { filename: string }): string {
  const fields = new Map(b.control);
  fields.set('Filename', b.filename);
  fields.set('Size', String(b.size));
  fields.set('MD5sum', b.md5);
  fields.set('SHA256', b.sha256);
  return serializeControl(fields);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function writeAt(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}

/** A static file server over `root`, logging each request path and honouring injected faults. */
function serve(root: string, requests: string[], faults: Map<string, { status: number; times: number }>): Server {
  return createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const fault = faults.get(path);
    if (fault && fault.times > 0) {
      fault.times--;
      res.writeHead(fault.status).end();
      return;
    }
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    stat(file).then(
      (st) => {
        if (!st.isFile()) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-length': st.size });
        createReadStream(file).pipe(res);
      },
      () => void res.writeHead(404).end(),
    );
  });
}

/** Reads a file of the archive (e.g. `dists/fixture/InRelease`), for tests that tamper with it. */
export async function readArchiveFile(fx: FixtureArchive, rel: string): Promise<Buffer> {
  return readFile(join(fx.root, rel));
}

/**
 * Writes the archive's distro config as `<dir>/<name>.yaml`, the file format of distros/, so the CLI can use the
 * fixture through `--distros DIR`.
 */
export async function writeFixtureDistroFile(fx: FixtureArchive, dir: string): Promise<string> {
  const d = fx.distro;
  const yaml = [
    `name: ${d.name}`,
    `codename: ${d.codename}`,
    `version-id: "${d.versionId}"`,
    'os-release:',
    ...Object.entries(d.osRelease).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
    'repositories:',
    ...d.repositories.flatMap((r) => [
      `  - role: ${r.role}`,
      `    url: ${r.url}`,
      `    suites: [${r.suites.join(', ')}]`,
      `    components: [${r.components.join(', ')}]`,
    ]),
    `keyring: ${d.keyring}`,
    'signing-keys:',
    ...d.signingKeys.flatMap((k) => [
      `  - fingerprint: ${k.fingerprint}`,
      `    description: ${JSON.stringify(k.description)}`,
    ]),
    '',
  ].join('\n');
  const path = join(dir, `${d.name}.yaml`);
  await writeFile(path, yaml);
  return path;
}
