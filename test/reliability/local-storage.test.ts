import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from '../support/cli-io.ts';
import { createFixtureArchive, type FixtureArchive, writeFixtureDistroFile } from '../support/fixture-archive.ts';
import { FIXTURE_PACKAGES } from '../support/fixture-image.ts';
import { treeSnapshot } from '../support/tree-snapshot.ts';

/**
 * A full or read-only IRONCLAD_HOME is the machine's state, not a bug and not the network: `build` and
 * `db import` end with exit 74 (STORAGE), say which path and why, and leave what was stored as it was.
 * The homes are small real tmpfs mounts (needs root, as `run` does).
 */

const DEFINITION = `name: tool
distro: fixture
platforms: [linux/amd64]
tags: ["1"]
packages: [fixtool]
exclude: [debconf]
`;

const OSV = {
  id: 'CVE-2025-0001',
  modified: new Date(Date.now() - 86_400_000).toISOString(),
  affected: [
    {
      package: { ecosystem: 'Debian:12', name: 'zlib' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9.9-1' }] }],
    },
  ],
};

let archive: FixtureArchive;
let work: string;
const mounts: string[] = [];

/** A fresh tmpfs of `size` at `dir`, optionally seeded with a copy of `from`. */
async function smallHome(name: string, size: string, from?: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);
  mounts.push(dir);
  if (from !== undefined) await cp(from, dir, { recursive: true });
  return dir;
}

function readOnly(dir: string): void {
  execFileSync('mount', ['-o', 'remount,ro', dir]);
}

async function cli(home: string, ...args: string[]) {
  const io = captureIO(work, { IRONCLAD_HOME: home });
  const status = await runCli(args, io);
  return { status, err: io.err.join('\n') };
}

before(async () => {
  archive = await createFixtureArchive({ suites: [{ name: 'fixture', packages: FIXTURE_PACKAGES }] });
  work = await mkdtemp(join(tmpdir(), 'ironclad-storage-'));
  await mkdir(join(work, 'distros'));
  await writeFixtureDistroFile(archive, join(work, 'distros'));
  await mkdir(join(work, 'tool'));
  await writeFile(join(work, 'tool', 'image.yaml'), DEFINITION);
  await mkdir(join(work, 'osv'));
  await writeFile(join(work, 'osv', 'CVE-2025-0001.json'), JSON.stringify(OSV));
  const seed = join(work, 'seed');
  assert.equal((await cli(seed, 'lock', 'tool', '--distros', 'distros')).status, 0);
  const imported = await cli(seed, 'db', 'import', 'osv');
  assert.equal(imported.status, 0, imported.err);
});

after(async () => {
  for (const m of mounts.reverse()) execFileSync('umount', [m]);
  await archive.close();
  await rm(work, { recursive: true, force: true });
});

function assertStorage(r: { status: number; err: string }, why: RegExp): void {
  assert.equal(r.status, 74, r.err);
  assert.match(r.err, why);
  assert.match(r.err, /hint: free space on that file system, or make it writable/);
  assert.doesNotMatch(r.err, /this is a bug|network|mirror/i);
}

test('build into a full home: ENOSPC is reported as such (exit 74), with no network hint', async () => {
  const home = await smallHome('full-build', '64k');
  assertStorage(
    await cli(home, 'build', 'tool', '--distros', 'distros', '--no-test'),
    /no space left on the device \(ENOSPC\)/,
  );
});

test('build into a read-only home: exit 74 naming the file system, nothing changed', async () => {
  const home = await smallHome('ro-build', '8m', join(work, 'seed'));
  readOnly(home);
  const before = await treeSnapshot(home);
  const r = await cli(home, 'build', 'tool', '--distros', 'distros', '--no-test');
  assertStorage(r, new RegExp(`${home}\\S*: the file system is read-only \\(EROFS\\)`));
  assert.deepEqual(await treeSnapshot(home), before);
});

test('db import into a read-only home: exit 74, the database unchanged', async () => {
  const home = await smallHome('ro-db', '8m', join(work, 'seed'));
  readOnly(home);
  const before = await treeSnapshot(home);
  assertStorage(await cli(home, 'db', 'import', 'osv'), /read-only|cannot be opened/);
  assert.deepEqual(await treeSnapshot(home), before);
});

test('db import into a full home: exit 74 naming the path, the database kept byte for byte', async () => {
  const home = await smallHome('full-db', '2m', join(work, 'seed'));
  // Fill what is left, so the new database's first pages cannot be written.
  execFileSync('sh', ['-c', `dd if=/dev/zero of=${join(home, 'filler')} bs=1k 2>/dev/null || true`]);
  const db = await readFile(join(home, 'vuln.db'));
  const before = await treeSnapshot(home);
  const r = await cli(home, 'db', 'import', 'osv');
  assertStorage(r, new RegExp(`${home}\\S*: no space left on the device \\((ENOSPC|SQLITE_FULL)\\)`));
  assert.deepEqual(await treeSnapshot(home), before);
  assert.deepEqual(await readFile(join(home, 'vuln.db')), db);
  assert.deepEqual(
    (await readdir(home)).filter((n) => n.startsWith('.vuln.db')),
    [],
    'no temp database left',
  );
});
