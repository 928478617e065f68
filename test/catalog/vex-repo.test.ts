import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { Ajv as Ajv07 } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { runCli } from '../../src/cli/main.ts';
import { type CatalogFixture, createCatalogFixture } from '../support/catalog-fixture.ts';
import { captureIO } from '../support/cli-io.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures');
const json = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'));
const REPOSITORY_URL = 'registry.example.com/ironclad';
const BASE = 'https://vex.example.com/ironclad';

let fx: CatalogFixture;
let work: string;
let out: string;
let unpacked: string;
let stdout: string;

before(async () => {
  fx = await createCatalogFixture();
  work = await mkdtemp(join(tmpdir(), 'ironclad-vex-repo-'));
  out = join(work, 'repo');
  const io = captureIO(fx.imagesDir, { IRONCLAD_HOME: fx.home });
  const args = ['vex', 'repo', 'export', out, '--repository-url', REPOSITORY_URL, '--url', BASE, '--images', '.'];
  assert.equal(await runCli(args, io), 0, io.err.join('\n'));
  stdout = io.out.join('\n');
  unpacked = join(work, 'unpacked');
  await mkdir(unpacked);
  // An independent reader: GNU tar unpacks the archive the manifest points at.
  execFileSync('tar', ['-xzf', join(out, 'vex-repository.tar.gz'), '-C', unpacked]);
});
after(async () => {
  await rm(work, { recursive: true, force: true });
  await fx.close();
});

function validator07(schemaPath: string) {
  const ajv = new Ajv07({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
}

test('the manifest and index validate against the vex-repo-spec schemas', async () => {
  const manifest = validator07(join(FIXTURES, 'catalog/vex-repo-spec/vex-repository.schema.json'));
  assert.ok(manifest(await json(join(out, '.well-known/vex-repository.json'))), JSON.stringify(manifest.errors));
  const index = validator07(join(FIXTURES, 'catalog/vex-repo-spec/index.schema.json'));
  const doc = (await json(join(unpacked, 'index.json'))) as { packages: { id: string }[] };
  index(doc);
  // The one known schema defect (see the fixture README): its id pattern demands a namespace OCI purls lack.
  const other = (index.errors ?? []).filter(
    (e) => !/^\/packages\/\d+\/id$/.test(e.instancePath) || e.keyword !== 'pattern',
  );
  assert.deepEqual(other, []);
  for (const p of doc.packages) {
    assert.match(
      p.id,
      /^pkg:oci\/[a-z0-9._-]+\?repository_url=[a-z0-9.:/_-]+$/,
      'spec §3.2: no version, only repository_url',
    );
  }
  assert.deepEqual(
    doc.packages.map((p) => p.id),
    [`pkg:oci/fixture?repository_url=${REPOSITORY_URL}/fixture`],
  );
  assert.match(stdout, /pkg\/oci\/registry\.example\.com\/ironclad\/fixture\/vex\.json/);
});

test('every document validates against the OpenVEX schema', async () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  ajv.addFormat('iri', /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/);
  const validate = ajv.compile((await json(join(FIXTURES, 'vuln/openvex_json_schema.json'))) as object);
  const index = (await json(join(unpacked, 'index.json'))) as { packages: { location: string }[] };
  for (const p of index.packages) {
    assert.ok(validate(await json(join(unpacked, p.location))), JSON.stringify(validate.errors));
  }
});

/**
 * A client as vex-repo-spec §5 describes it: pick the exact spec version (v0.Y), take the first https location,
 * unpack it (honouring a `//subdir` suffix), look the image purl up in index.json without version, qualifiers
 * other than repository_url, or subpath (§3.2), and read the whole document for statements about the version.
 */
async function resolveStatements(imagePurl: string): Promise<{ status: string; vulnerability: string }[]> {
  const manifest = (await json(join(out, '.well-known/vex-repository.json'))) as {
    versions: { spec_version: string; locations: { url: string }[] }[];
  };
  const version = manifest.versions.find((v) => v.spec_version === '0.1');
  assert.ok(version, 'no exact 0.1 version');
  const location = version.locations.find((l) => l.url.startsWith('https://'));
  assert.ok(location);
  const [archiveUrl = '', subdir = ''] =
    location.url.split('//').length > 2 ? splitSubdir(location.url) : [location.url];
  // "Downloading": the exported directory is what is served at BASE.
  assert.ok(archiveUrl.startsWith(`${BASE}/`));
  const root = join(unpacked, subdir);
  const url = new URL(imagePurl.replace(/^pkg:/, 'pkg://'));
  const [name] = url.pathname.slice(1).split('@');
  const id = `pkg:oci/${name}?repository_url=${url.searchParams.get('repository_url')}`;
  const index = (await json(join(root, 'index.json'))) as { packages: { id: string; location: string }[] };
  const entry = index.packages.find((p) => p.id === id);
  assert.ok(entry, `${id} not in index.json`);
  const doc = (await json(join(root, entry.location))) as {
    statements: { status: string; vulnerability: { name: string }; products: { '@id': string }[] }[];
  };
  const versioned = imagePurl.replace(/&.*$/, '');
  return doc.statements
    .filter((s) => s.products.some((p) => p['@id'] === versioned))
    .map((s) => ({ status: s.status, vulnerability: s.vulnerability.name }));
}

function splitSubdir(url: string): [string, string] {
  const i = url.indexOf('//', 'https://'.length);
  return [url.slice(0, i), url.slice(i + 2)];
}

test('a client resolves the image purl through index.json to its statements, versioned and unversioned', async () => {
  const catalog = captureIO(fx.imagesDir, { IRONCLAD_HOME: fx.home });
  assert.equal(await runCli(['catalog', '--format', 'json', '--images', '.'], catalog), 0);
  const image = JSON.parse(catalog.out.join('\n')).images[0].variants[0].image;
  const repo = `${REPOSITORY_URL}/fixture`;
  for (const digest of [image.digest, image.platforms[0].digest]) {
    // As a scanner names the image it scans: version, repository_url and other qualifiers.
    const purl = `pkg:oci/fixture@${digest}?repository_url=${repo}&arch=amd64`;
    assert.deepEqual(await resolveStatements(purl), [{ status: 'not_affected', vulnerability: 'CVE-2025-0001' }]);
  }
  const unversioned = await resolveStatements(`pkg:oci/fixture?repository_url=${repo}`);
  assert.ok(unversioned.every((s) => s.vulnerability === 'CVE-2025-0001') && unversioned.length > 0);
});

test('bad flags are usage errors, and an export never replaces a directory it did not write', async () => {
  const run = async (args: string[]) => {
    const io = captureIO(fx.imagesDir, { IRONCLAD_HOME: fx.home });
    return { status: await runCli(['vex', 'repo', 'export', ...args, '--images', '.'], io), err: io.err.join('\n') };
  };
  const http = await run([join(work, 'x'), '--repository-url', REPOSITORY_URL, '--url', 'http://insecure.example']);
  assert.equal(http.status, 2);
  assert.match(http.err, /only https/);
  const bad = await run([join(work, 'x'), '--repository-url', 'Registry/UPPER', '--url', BASE]);
  assert.equal(bad.status, 2);
  const foreign = await run([fx.imagesDir, '--repository-url', REPOSITORY_URL, '--url', BASE]);
  assert.equal(foreign.status, 2);
  assert.match(foreign.err, /was not written by this command/);
});
