import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from '../support/cli-io.ts';
import { createFixtureArchive, type FixtureArchive, writeFixtureDistroFile } from '../support/fixture-archive.ts';
import { FIXTURE_PACKAGES } from '../support/fixture-image.ts';

const DEFINITION = `name: tool
distro: fixture
platforms: [linux/amd64]
tags: ["1"]
packages: [fixtool]
exclude: [debconf]
`;

describe('ironclad lock', () => {
  let fx: FixtureArchive;
  let dir: string;
  const cli = (...args: string[]) => {
    const io = captureIO(dir, { IRONCLAD_HOME: join(dir, 'home') });
    return runCli([...args], io).then((code) => ({ code, out: io.out.join('\n'), err: io.err.join('\n') }));
  };

  before(async () => {
    fx = await createFixtureArchive({ suites: [{ name: 'fixture', packages: FIXTURE_PACKAGES }] });
    dir = await mkdtemp(join(tmpdir(), 'cli-lock-'));
    await mkdir(join(dir, 'distros'));
    await writeFixtureDistroFile(fx, join(dir, 'distros'));
    await mkdir(join(dir, 'tool'));
    await writeFile(join(dir, 'tool/image.yaml'), DEFINITION);
  });
  after(async () => {
    await fx.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('writes the lockfile and prints the closure', async () => {
    const r = await cli('lock', 'tool', '--distros', 'distros');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /fixtool\s+2\.0-1/);
    assert.match(r.out, /excluded: debconf/);
    const lock = JSON.parse(await readFile(join(dir, 'tool/ironclad.lock.json'), 'utf8'));
    assert.deepEqual(
      lock.variants.runtime.platforms['linux/amd64'].packages.map((p: { name: string }) => p.name),
      ['fix-config', 'fixtool', 'libfix1'],
    );
  });

  test('--check exits 0 on a fresh lock and 1 once the definition changed', async () => {
    assert.equal((await cli('lock', 'tool', '--distros', 'distros')).code, 0);
    assert.equal((await cli('lock', 'tool', '--distros', 'distros', '--check')).code, 0);
    await writeFile(join(dir, 'tool/image.yaml'), DEFINITION.replace('[fixtool]', '[fixtool, bash]'));
    const stale = await cli('lock', 'tool', '--distros', 'distros', '--check');
    assert.equal(stale.code, 1);
    assert.match(stale.out, /\+ bash 5\.2-1/);
    const json = await cli('lock', 'tool', '--distros', 'distros', '--check', '--format', 'json');
    assert.equal(json.code, 1);
    const report = JSON.parse(json.out);
    assert.equal(report.schema, 'https://ironclad.dev/schemas/lock-check/v1');
    assert.equal(report.upToDate, false);
    assert.ok(
      report.changes.some(
        (c: { kind: string; package?: { name: string; version: string } }) =>
          c.kind === 'added' && c.package?.name === 'bash' && c.package.version === '5.2-1',
      ),
      json.out,
    );
    await writeFile(join(dir, 'tool/image.yaml'), DEFINITION);
    const fresh = JSON.parse((await cli('lock', 'tool', '--distros', 'distros', '--check', '--format', 'json')).out);
    assert.deepEqual([fresh.upToDate, fresh.changes], [true, []]);
  });

  test('--why prints the dependency path', async () => {
    const r = await cli('lock', 'tool', '--distros', 'distros', '--why', 'libfix1');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /fixtool → libfix1/);
    const json = await cli('lock', 'tool', '--distros', 'distros', '--why', 'libfix1', '--format', 'json');
    assert.equal(json.code, 0, json.err);
    const why = JSON.parse(json.out);
    assert.equal(why.schema, 'https://ironclad.dev/schemas/lock-why/v1');
    assert.deepEqual(why.targets[0].paths, [['fixtool', 'libfix1']]);
  });

  test('an unknown package exits 2 with suggestions', async () => {
    await writeFile(join(dir, 'tool/image.yaml'), DEFINITION.replace('[fixtool]', '[fixtol]'));
    const r = await cli('lock', 'tool', '--distros', 'distros');
    assert.equal(r.code, 2);
    assert.match(r.err, /fixtool/);
    await writeFile(join(dir, 'tool/image.yaml'), DEFINITION);
  });

  test('a tampered InRelease exits 3 naming the suite', async () => {
    const path = join(fx.root, 'dists/fixture/InRelease');
    const original = await readFile(path);
    const tampered = Buffer.from(original);
    const at = tampered.indexOf('Date:') + 8;
    tampered[at] = tampered[at] === 0x31 ? 0x32 : 0x31;
    await writeFile(path, tampered);
    try {
      const r = await cli('lock', 'tool', '--distros', 'distros');
      assert.equal(r.code, 3);
      assert.match(r.err, /fixture/);
    } finally {
      await writeFile(path, original);
    }
  });
});
