import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { generateKeyPair } from '../../src/attest/index.ts';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from '../support/cli-io.ts';
import { CRD_SCHEMAS, crdValidator } from '../support/crd-schema.ts';

async function keyDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ironclad-policy-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pair = await generateKeyPair('');
  await writeFile(join(dir, 'ironclad.pub'), pair.publicKeyPem);
  await writeFile(join(dir, 'ironclad.key'), pair.privateKeyPem);
  return dir;
}

test('policy export kyverno prints a ClusterPolicy that validates, with the key, patterns and types given', async (t) => {
  const dir = await keyDir(t);
  const io = captureIO(dir);
  const argv = [
    'policy',
    'export',
    'kyverno',
    '--key',
    'ironclad.pub',
    '--images',
    'r.example/team/*,r.example/base/*',
  ];
  assert.equal(await runCli([...argv, '--require', 'provenance,vex'], io), 0, io.err.join('\n'));
  const [doc] = parseAllDocuments(io.out.join('')).map((d) => d.toJS() as Record<string, any>);
  assert.ok(doc);
  const validate = crdValidator(CRD_SCHEMAS.kyvernoClusterPolicy);
  assert.ok(validate(doc), JSON.stringify(validate.errors));
  const verify = doc.spec.rules[0].verifyImages[0];
  assert.deepEqual(verify.imageReferences, ['r.example/team/*', 'r.example/base/*']);
  assert.equal(
    verify.attestors[0].entries[0].keys.publicKeys,
    (await readFile(join(dir, 'ironclad.pub'), 'utf8')).trim(),
  );
  assert.deepEqual(
    verify.attestations.map((a: { type: string }) => a.type),
    ['https://slsa.dev/provenance/v1', 'https://openvex.dev/ns/v0.2.0'],
  );
});

test('policy export --out writes the file atomically and prints nothing; a rerun replaces it', async (t) => {
  const dir = await keyDir(t);
  const io = captureIO(dir);
  const argv = [
    'policy',
    'export',
    'sigstore-policy-controller',
    '--key',
    'ironclad.pub',
    '--images',
    'r.example/t/**',
  ];
  assert.equal(await runCli([...argv, '--out', 'out/cip.yaml', '--require', 'sbom'], io), 0, io.err.join('\n'));
  assert.deepEqual(io.out, []);
  const first = await readFile(join(dir, 'out/cip.yaml'), 'utf8');
  assert.equal(parseAllDocuments(first).length, 2, 'signature and attestation policies');
  assert.equal(await runCli([...argv, '--out', 'out/cip.yaml'], io), 0);
  const second = await readFile(join(dir, 'out/cip.yaml'), 'utf8');
  assert.equal(parseAllDocuments(second).length, 1);
  assert.deepEqual(await readdir(join(dir, 'out')), ['cip.yaml'], 'no temp file left behind');
});

test('policy export refuses bad input with exit 2 and a hint', async (t) => {
  const dir = await keyDir(t);
  const base = ['policy', 'export', 'kyverno', '--key', 'ironclad.pub', '--images', 'r.example/t/*'];
  const cases: [string, string[]][] = [
    ['unknown controller', ['policy', 'export', 'gatekeeper', '--key', 'ironclad.pub', '--images', 'r.example/t/*']],
    ['a private key', ['policy', 'export', 'kyverno', '--key', 'ironclad.key', '--images', 'r.example/t/*']],
    ['a missing key file', ['policy', 'export', 'kyverno', '--key', 'none.pub', '--images', 'r.example/t/*']],
    ['a pattern without a repository', ['policy', 'export', 'kyverno', '--key', 'ironclad.pub', '--images', '*']],
    ['an unknown requirement', [...base, '--require', 'provenance,sboms']],
    ['a bad object name', [...base, '--name', 'Ironclad Images']],
  ];
  for (const [what, argv] of cases) {
    const io = captureIO(dir);
    assert.equal(await runCli(argv, io), 2, what);
    assert.match(io.err.join('\n'), /^error: .+\nhint: .+/m, `${what}: ${io.err.join('\n')}`);
    assert.deepEqual(io.out, [], what);
  }
  const io = captureIO(dir);
  assert.equal(await runCli(['policy', 'export', 'kyverno', '--key', 'ironclad.pub'], io), 2, 'no --images');
});

test('policy export --help shows examples', async () => {
  const io = captureIO(tmpdir());
  assert.equal(await runCli(['policy', 'export', '--help'], io), 0);
  assert.match(io.out.join('\n'), /Examples:[\s\S]*policy export kyverno --key ironclad\.pub --images/);
});
