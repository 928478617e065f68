import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { siblingTempPath } from '../../src/core/atomic.ts';
import { Home } from '../../src/core/home.ts';

const dir = await mkdtemp(join(tmpdir(), 'ironclad-home-'));
after(() => rm(dir, { recursive: true, force: true }));

/** The pid of a process that has exited (so certainly not writing anything). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

async function touch(path: string, ageMs = 0): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, 'x');
  if (ageMs > 0) await utimes(path, new Date(Date.now() - ageMs), new Date(Date.now() - ageMs));
}

test('every path comes from the home', () => {
  const home = new Home('/h');
  assert.equal(home.store, '/h/store');
  assert.equal(home.vulnDb, '/h/vuln.db');
  assert.equal(home.authFile, '/h/auth.json');
  assert.equal(home.tmp, '/h/tmp');
  assert.equal(home.cache('sha256'), '/h/cache/sha256');
  assert.equal(home.cache('derived', 'layers', 'gzip-6'), '/h/cache/derived/layers/gzip-6');
});

test('temp files carry the pid of their writer', () => {
  const name = siblingTempPath('/h/vuln.db').slice('/h/'.length);
  assert.match(name, new RegExp(`^\\.vuln\\.db\\.${process.pid}-[0-9a-f]{12}\\.tmp$`));
});

test('the sweep removes leftovers of dead processes and nothing a live one uses', async () => {
  const home = new Home(join(dir, 'sweep'));
  const dead = deadPid();
  const live = process.pid;
  const day = 24 * 3600 * 1000;
  const gone = [
    join(home.root, `.vuln.db.${dead}-0123456789ab.tmp`),
    join(home.root, `.vuln.db.${dead}-0123456789ab.tmp-journal`),
    join(home.store, 'blobs', 'sha256', `.blob.${dead}-0123456789ab.tmp`),
    join(home.cache('derived', 'deb-contents', 'v1'), 'ab', `.abcd.${dead}-0123456789ab.tmp`),
    join(home.root, '.vuln.db.0123456789ab.tmp'), // no pid (older versions): removed once a day old
    join(home.tmp, 'ironclad-run-AbC123'),
  ];
  const kept = [
    join(home.root, `.vuln.db.${live}-0123456789ab.tmp`),
    join(home.root, '.vuln.db.ba9876543210.tmp'), // no pid, fresh
    join(home.root, 'vuln.db'),
    join(home.store, 'blobs', 'sha256', 'a'.repeat(64)),
    join(home.cache('sha256'), 'ab', 'ab'.repeat(32)),
  ];
  for (const p of gone) await touch(p, p.includes(`${dead}-`) ? 0 : 2 * day);
  for (const p of kept) await touch(p);
  const scratchDead = join(home.tmp, `build-${dead}-Xy12Zw`);
  await touch(join(scratchDead, 'rootfs', 'file'));
  const scratchLive = await home.scratchDir('run');
  await touch(join(scratchLive, 'config.json'));

  const removed = await home.sweepLeftovers();
  assert.deepEqual(removed.sort(), [...gone, scratchDead].sort());
  assert.deepEqual((await readdir(home.tmp)).sort(), [scratchLive.slice(home.tmp.length + 1)]);
  for (const p of kept) await readdir(join(p, '..')).then((names) => assert.ok(names.includes(p.split('/').pop()!)));
});

test('removeOwnTempsSync removes this process its own temps only', async () => {
  const home = new Home(join(dir, 'own'));
  const mine = siblingTempPath(join(home.store, 'index.json'));
  const other = join(home.root, `.vuln.db.${deadPid()}-0123456789ab.tmp`);
  await touch(mine);
  await touch(other);
  const scratch = await home.scratchDir('rebuild');
  home.removeOwnTempsSync();
  assert.deepEqual(await readdir(home.store), []);
  assert.deepEqual(await readdir(home.tmp), []);
  assert.deepEqual(await readdir(home.root).then((n) => n.sort()), [
    '.vuln.db.' + other.split('.vuln.db.')[1],
    'store',
    'tmp',
  ]);
  assert.ok(scratch.startsWith(home.tmp));
});
