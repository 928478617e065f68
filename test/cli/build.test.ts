import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from '../support/cli-io.ts';
import { createFixtureArchive, type FixtureArchive, writeFixtureDistroFile } from '../support/fixture-archive.ts';
import { FIXTURE_PACKAGES } from '../support/fixture-image.ts';

// The fixture tool is a script whose interpreter does not exist: running it fails with runc's message on stderr.
const DEFINITION = `name: tool
distro: fixture
platforms: [linux/amd64]
tags: ["1"]
packages: [fixtool]
exclude: [debconf]
tests:
  - {name: runs, run: [/usr/bin/fixtool]}
`;

const PROVENANCE = 'https://slsa.dev/provenance/v1';

describe('ironclad build --no-test', () => {
  let fx: FixtureArchive;
  let dir: string;
  const cli = (...args: string[]) => {
    const io = captureIO(dir, { IRONCLAD_HOME: join(dir, 'home'), IRONCLAD_PASSWORD: 'pw' });
    return runCli([...args], io).then((code) => ({ code, out: io.out.join('\n'), err: io.err.join('\n') }));
  };

  before(async () => {
    fx = await createFixtureArchive({ suites: [{ name: 'fixture', packages: FIXTURE_PACKAGES }] });
    dir = await mkdtemp(join(tmpdir(), 'cli-build-'));
    await mkdir(join(dir, 'distros'));
    await writeFixtureDistroFile(fx, join(dir, 'distros'));
    await mkdir(join(dir, 'tool'));
    await writeFile(join(dir, 'tool/image.yaml'), DEFINITION);
    assert.equal((await cli('lock', 'tool', '--distros', 'distros')).code, 0);
    assert.equal((await cli('keygen')).code, 0);
  });
  after(async () => {
    await fx.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a failing test fails the build (exit 1) with the whole output and a hint naming a real flag', async () => {
    const r = await cli('build', 'tool', '--distros', 'distros');
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /test runs: exit code/);
    assert.match(r.err, /--- stderr\n\s+.*fixtool/);
    assert.match(r.err, /hint: .*--no-test/);
    const images = await cli('images', '--format', 'json');
    assert.doesNotMatch(images.out, /"tool"/, 'nothing was tagged');
  });

  test('--no-test builds and tags without testing, and the signed provenance records it', async () => {
    const r = await cli('build', 'tool', '--distros', 'distros', '--no-test', '--key', 'ironclad.key');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /tests: skipped \(--no-test\)/);
    const prov = await cli('attest', 'get', 'tool:1', '--predicate-type', PROVENANCE, '--predicate');
    assert.equal(prov.code, 0, prov.err);
    assert.equal(JSON.parse(prov.out).buildDefinition.externalParameters.noTest, true);
  });

  test('a tested build records noTest: false', async () => {
    await writeFile(join(dir, 'tool/image.yaml'), DEFINITION.replace(/tests:[\s\S]*$/, ''));
    assert.equal((await cli('lock', 'tool', '--distros', 'distros')).code, 0);
    const r = await cli('build', 'tool', '--distros', 'distros', '--key', 'ironclad.key');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /tests: \d+ passed, 0 failed/);
    const prov = await cli('attest', 'get', 'tool:1', '--predicate-type', PROVENANCE, '--predicate');
    assert.equal(JSON.parse(prov.out).buildDefinition.externalParameters.noTest, false);
  });
});
