import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { silentLogger } from '../../src/core/index.ts';
import { captureIO } from '../support/cli-io.ts';
import { createFixtureArchive, type FixtureArchive, writeFixtureDistroFile } from '../support/fixture-archive.ts';
import { FIXTURE_PACKAGES } from '../support/fixture-image.ts';

// The fixture tool's interpreter does not exist, so the definition's test fails: seeing it fail proves it ran.
const DEFINITION = `name: tool
distro: fixture
platforms: [linux/amd64]
tags: ["1"]
packages: [fixtool]
exclude: [debconf]
tests:
  - {name: runs, run: [/usr/bin/fixtool]}
`;

describe('ironclad test IMAGE finds the definition recorded in its labels', () => {
  let fx: FixtureArchive;
  let dir: string;
  const cli = (...args: string[]) => {
    const base = captureIO(dir, { IRONCLAD_HOME: join(dir, 'home') });
    // Warnings go to the logger: record them with stderr.
    const io = { ...base, log: { ...silentLogger, warn: (m: string) => base.err.push(m) } };
    return runCli([...args], io).then((code) => ({ code, out: io.out.join('\n'), err: io.err.join('\n') }));
  };

  before(async () => {
    fx = await createFixtureArchive({ suites: [{ name: 'fixture', packages: FIXTURE_PACKAGES }] });
    dir = await mkdtemp(join(tmpdir(), 'cli-test-tag-'));
    await mkdir(join(dir, 'distros'));
    await writeFixtureDistroFile(fx, join(dir, 'distros'));
    await mkdir(join(dir, 'tool'));
    await writeFile(join(dir, 'tool/image.yaml'), DEFINITION);
    assert.equal((await cli('lock', 'tool', '--distros', 'distros')).code, 0);
    const built = await cli('build', 'tool', '--distros', 'distros', '--no-test');
    assert.equal(built.code, 0, built.err);
  });
  after(async () => {
    await fx.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('build labels the image with the definition path and digest', async () => {
    const r = await cli('test', 'tool:1', '--format', 'json');
    const labels = JSON.parse((await cli('inspect', 'tool:1', '--format', 'json')).out);
    const text = JSON.stringify(labels);
    assert.match(text, /"dev\.ironclad\.definition":"tool\/image\.yaml"/);
    assert.match(text, /"dev\.ironclad\.definition-digest":"sha256:[0-9a-f]{64}"/);
    assert.equal(r.code, 1, r.err);
  });

  test('by tag, the definition tests run too', async () => {
    const r = await cli('test', 'tool:1');
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /✘ test runs/);
    assert.doesNotMatch(r.err, /running the image checks only/);
  });

  test('a definition changed since the build is refused by name; only the image checks run', async () => {
    await writeFile(join(dir, 'tool/image.yaml'), DEFINITION.replace('name: runs', 'name: renamed'));
    const r = await cli('test', 'tool:1');
    assert.match(r.err, /tool\/image\.yaml changed since the image was built \(definition sha256:\w+, image built/);
    assert.match(r.err, /running the image checks only/);
    assert.doesNotMatch(r.out, /test (runs|renamed)/);
    assert.equal(r.code, 0, r.out);
  });

  test('a definition that is gone is named; only the image checks run', async () => {
    await rm(join(dir, 'tool/image.yaml'));
    const r = await cli('test', 'tool:1');
    assert.match(r.err, /its definition tool\/image\.yaml cannot be loaded/);
    assert.equal(r.code, 0, r.out);
  });
});
