import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProvenance } from '../../../src/attest/index.ts';
import { buildProvenance, IRONCLAD_BUILD_TYPE, type ProvenanceInput } from '../../../src/attest/predicates/index.ts';
import { canonicalJson, isIroncladError } from '../../../src/core/index.ts';

const h = (c: string) => c.repeat(64);
const INPUT: ProvenanceInput = {
  definition: { path: 'images/python/image.yaml', sha256: h('a') },
  variant: 'runtime',
  platform: 'linux/amd64',
  source: { repository: 'https://github.com/example/images', revision: 'f'.repeat(40) },
  noTest: false,
  ironcladVersion: '0.1.0',
  sourceDateEpoch: 1700000000,
  suites: [
    {
      suite: 'bookworm',
      baseUrl: 'http://deb.debian.org/debian/',
      date: 'Sat, 11 Nov 2023 09:00:00 UTC',
      inReleaseSha256: h('b'),
    },
    {
      suite: 'bookworm-security',
      baseUrl: 'http://security.debian.org/debian-security',
      date: 'Sun, 12 Nov 2023 09:00:00 UTC',
      inReleaseSha256: h('c'),
    },
  ],
  packages: [
    {
      name: 'zlib1g',
      version: '1:1.2.13.dfsg-1',
      architecture: 'amd64',
      suite: 'bookworm',
      filename: 'pool/main/z/zlib/zlib1g_1.2.13.dfsg-1_amd64.deb',
      sha256: h('d'),
    },
    {
      name: 'libc6',
      version: '2.36-9+deb12u3',
      architecture: 'amd64',
      suite: 'bookworm-security',
      filename: 'pool/updates/main/g/glibc/libc6_2.36-9+deb12u3_amd64.deb',
      sha256: h('e'),
    },
  ],
  builderId: 'https://ironclad.dev/builder/local',
  invocationId: 'urn:uuid:00000000-0000-4000-8000-000000000000',
  startedOn: '2023-11-12T10:00:00Z',
  finishedOn: '2023-11-12T10:01:00Z',
};

test('builds SLSA v1 with every .deb and InRelease as a resolved dependency', () => {
  const p = buildProvenance(INPUT);
  assert.equal(p.buildDefinition.buildType, IRONCLAD_BUILD_TYPE);
  assert.deepEqual(p.buildDefinition.externalParameters.definition, {
    path: INPUT.definition.path,
    digest: { sha256: h('a') },
  });
  assert.deepEqual(p.buildDefinition.internalParameters, { ironcladVersion: '0.1.0', sourceDateEpoch: 1700000000 });
  assert.deepEqual(
    p.buildDefinition.resolvedDependencies.map((d) => d.uri),
    [
      `git+https://github.com/example/images@${'f'.repeat(40)}`,
      'http://deb.debian.org/debian/dists/bookworm/InRelease',
      'http://security.debian.org/debian-security/dists/bookworm-security/InRelease',
      'http://security.debian.org/debian-security/pool/updates/main/g/glibc/libc6_2.36-9+deb12u3_amd64.deb',
      'http://deb.debian.org/debian/pool/main/z/zlib/zlib1g_1.2.13.dfsg-1_amd64.deb',
    ],
  );
  assert.deepEqual(p.runDetails.builder, { id: INPUT.builderId, version: { ironclad: '0.1.0' } });
  assert.equal(canonicalJson(buildProvenance(INPUT)), canonicalJson(p), 'deterministic');
});

test('parse(build(x)) gives back the parameters and every dependency', () => {
  const read = parseProvenance(JSON.parse(canonicalJson(buildProvenance(INPUT))));
  const { suites, packages, ...rest } = INPUT;
  const { dependencies, ...readRest } = read;
  assert.deepEqual(readRest, rest);
  assert.deepEqual(
    dependencies.filter((d) => d.kind === 'package').map((d) => [d.name, d.version, d.architecture, d.suite, d.sha256]),
    [...packages]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((p) => [p.name, p.version, p.architecture, p.suite, p.sha256]),
  );
  assert.deepEqual(
    dependencies.filter((d) => d.kind === 'suite').map((d) => [d.suite, d.inReleaseSha256, d.date]),
    suites.map((s) => [s.suite, s.inReleaseSha256, s.date]),
  );
});

test('minimal input: no source, no run metadata', () => {
  const { source, invocationId, startedOn, finishedOn, ...min } = INPUT;
  const p = buildProvenance(min);
  assert.equal(p.runDetails.metadata, undefined);
  assert.deepEqual(parseProvenance(JSON.parse(JSON.stringify(p))).source, undefined);
});

test('invalid input and documents are INVALID_INPUT', () => {
  const invalid = (e: unknown) => isIroncladError(e, 'INVALID_INPUT');
  assert.throws(() => buildProvenance({ ...INPUT, packages: [{ ...INPUT.packages[0]!, suite: 'sid' }] }), invalid);
  assert.throws(() => buildProvenance({ ...INPUT, definition: { path: 'x', sha256: 'nothex' } }), invalid);
  const doc = JSON.parse(JSON.stringify(buildProvenance(INPUT)));
  assert.throws(
    () => parseProvenance({ ...doc, buildDefinition: { ...doc.buildDefinition, buildType: 'https://example/other' } }),
    invalid,
  );
  doc.buildDefinition.externalParameters.noTest = 'no';
  delete doc.buildDefinition.internalParameters.sourceDateEpoch;
  doc.buildDefinition.resolvedDependencies[3].digest.sha256 = 'x';
  assert.throws(
    () => parseProvenance(doc),
    (e: unknown) =>
      invalid(e) &&
      /noTest/.test((e as Error).message) &&
      /sourceDateEpoch/.test((e as Error).message) &&
      /resolvedDependencies\[3\]/.test((e as Error).message),
  );
  assert.throws(() => parseProvenance([]), invalid);
});

test('zstd layer compression is recorded and read back; gzip leaves the document as before', () => {
  const gzip = buildProvenance(INPUT) as { buildDefinition: { externalParameters: Record<string, unknown> } };
  assert.equal(gzip.buildDefinition.externalParameters.compression, undefined);
  assert.equal(parseProvenance(JSON.parse(canonicalJson(gzip))).compression, undefined);
  const zstd = JSON.parse(canonicalJson(buildProvenance({ ...INPUT, compression: 'zstd' })));
  assert.equal(zstd.buildDefinition.externalParameters.compression, 'zstd');
  assert.equal(parseProvenance(zstd).compression, 'zstd');
  zstd.buildDefinition.externalParameters.compression = 'brotli';
  assert.throws(
    () => parseProvenance(zstd),
    (e) => isIroncladError(e, 'INVALID_INPUT'),
  );
});
