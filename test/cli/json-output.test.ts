import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { outputSchema } from '../../src/core/output-schema.ts';
import { captureIO } from '../support/cli-io.ts';
import { file, writeTestImage } from '../support/oci-image.ts';

// Every JSON document of Ironclad's own starts with a `schema` field of the one convention, and every schema
// name the code can print is documented in docs/json.md.

const REPO = resolve(import.meta.dirname, '../..');
let work: string;
let docs: string;

async function json(argv: readonly string[], status = 0): Promise<Record<string, unknown>> {
  const io = captureIO(work, { IRONCLAD_HOME: join(work, 'home'), IRONCLAD_PASSWORD: 'pw' });
  assert.equal(await runCli(argv, io), status, `ironclad ${argv.join(' ')}\n${io.err.join('\n')}`);
  const text = io.out.join('\n');
  const parsed = JSON.parse(text) as Record<string, unknown>;
  assert.equal(Object.keys(parsed)[0], 'schema', `ironclad ${argv.join(' ')}: schema comes first`);
  return parsed;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'ironclad-json-'));
  docs = await readFile(join(REPO, 'docs/json.md'), 'utf8');
  await writeTestImage(join(work, 'layout'), [[file('etc/hello', 'hi\n')]]);
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(join(work, 'k.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  await writeFile(join(work, 'p.json'), JSON.stringify({ reviewed: true }));
  await mkdir(join(work, 'osv'));
  await writeFile(
    join(work, 'osv', 'a.json'),
    JSON.stringify({
      id: 'CVE-2025-0001',
      modified: '2025-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'Debian:12', name: 'zlib' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.3-1' }] }],
        },
      ],
    }),
  );
  const purl = 'pkg:deb/debian/zlib1g@1.2-1?arch=amd64&upstream=zlib&distro=debian-12';
  await writeFile(
    join(work, 'sbom.json'),
    JSON.stringify({
      spdxVersion: 'SPDX-2.3',
      packages: [{ name: 'zlib1g', externalRefs: [{ referenceType: 'purl', referenceLocator: purl }] }],
    }),
  );
  await writeFile(
    join(work, 'doc.openvex.json'),
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'urn:test:1',
      author: 'me',
      timestamp: '2025-01-02T00:00:00Z',
      version: 1,
      statements: [{ vulnerability: { name: 'CVE-2025-0001' }, products: [{ '@id': 'pkg:oci/x' }], status: 'fixed' }],
    }),
  );
  const io = captureIO(work, { IRONCLAD_HOME: join(work, 'home') });
  assert.equal(await runCli(['db', 'import', 'osv'], io), 0, io.err.join('\n'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('each verb prints its documented schema', async () => {
  const cases: [readonly string[], string, number?][] = [
    [['copy', `oci:${join(work, 'layout')}`, 'hello:1', '--format', 'json'], 'copy'],
    [['images', '--format', 'json'], 'images'],
    [['inspect', 'hello:1', '--format', 'json'], 'inspect'],
    [['attest', 'list', 'hello:1', '--format', 'json'], 'attest-list'],
    [['verify', 'hello:1', '--key', 'k.pub', '--format', 'json'], 'verify', 3],
    [['scan', 'sbom.json', '--format', 'json'], 'scan-report'],
    [['vex', 'show', 'doc.openvex.json', '--format', 'json'], 'vex-show'],
    [['db', 'status', '--format', 'json'], 'db-status'],
    [['db', 'import', 'osv', '--format', 'json'], 'db-import'],
    [['cache', 'verify', '--format', 'json'], 'cache-verify'],
    [['store', 'verify', '--format', 'json'], 'store-verify'],
    [['copy', `oci:${join(work, 'layout')}`, 'gone:1', '--format', 'json'], 'copy'],
    [['rmi', 'gone:1', '--format', 'json'], 'rmi'],
    [['keygen', '--prefix', 'jk', '--format', 'json'], 'keygen'],
    [['sign', 'hello:1', '--key', 'jk.key', '--format', 'json'], 'sign'],
    [
      [
        'attest',
        'hello:1',
        '--predicate',
        'p.json',
        '--type',
        'https://example.com/p/v1',
        '--key',
        'jk.key',
        '--format',
        'json',
      ],
      'attest',
    ],
  ];
  for (const [argv, name, status] of cases) {
    const doc = await json(argv, status);
    assert.equal(doc.schema, outputSchema(name), argv.join(' '));
    assert.ok(docs.includes(`— \`${name}\``), `docs/json.md documents ${name}`);
  }
});

test('images lists each platform with its own size and the variant', async () => {
  const doc = await json(['images', '--format', 'json']);
  const images = doc.images as { name: string; platforms: { platform: string; size: number; manifest: string }[] }[];
  const hello = images.find((i) => i.name === 'hello');
  assert.equal(hello?.platforms.length, 1);
  assert.equal(hello?.platforms[0]?.platform, 'linux/amd64');
  assert.ok((hello?.platforms[0]?.size ?? 0) > 0);
});

test('every schema name the code can print is documented in docs/json.md', async () => {
  const names = new Set<string>();
  for (const e of await readdir(join(REPO, 'src'), { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts')) continue;
    const text = await readFile(join(e.parentPath, e.name), 'utf8');
    for (const m of text.matchAll(/(?:jsonOutput|outputSchema)\('([a-z0-9-]+)'/g)) names.add(m[1]!);
  }
  assert.ok(names.size >= 15, [...names].join(', '));
  const undocumented = [...names].filter((n) => !docs.includes(`— \`${n}\``));
  assert.deepEqual(undocumented, []);
});

test('sign and attest --format json name what they signed, and the signatures verify', async () => {
  const signed = await json(['sign', 'hello:1', '--key', 'jk.key', '--format', 'json']);
  const entries = signed.signed as { subject: string; digest: string; referrer: string }[];
  assert.ok(entries.length >= 1);
  for (const e of entries) assert.match(e.referrer, /^sha256:[0-9a-f]{64}$/);
  assert.equal(signed.signatureFormat, 'both');
  const verified = await json(['verify', 'hello:1', '--key', 'jk.pub', '--require', 'none', '--format', 'json']);
  assert.equal(verified.schema, outputSchema('verify'));
  const io = captureIO(work, { IRONCLAD_HOME: join(work, 'home') });
  assert.equal(await runCli(['sign', 'hello:1', '--key', 'jk.key', '--format', 'yaml'], io), 2);
  // The text form keeps subject and digest apart, whatever the length of the platform name.
  const text = captureIO(work, { IRONCLAD_HOME: join(work, 'home'), IRONCLAD_PASSWORD: 'pw' });
  assert.equal(await runCli(['sign', 'hello:1', '--key', 'jk.key'], text), 0);
  for (const e of entries) assert.ok(text.out.join('\n').includes(`${e.subject}  ${e.digest}`), text.out.join('\n'));
});
