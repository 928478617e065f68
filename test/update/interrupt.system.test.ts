import assert from 'node:assert/strict';
import { appendFile, cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../../src/cli/main.ts';
import { LayoutStore } from '../../src/oci/index.ts';
import { CHANGELOG_ARTIFACT_TYPE } from '../../src/update/changelog.ts';
import { captureIO } from '../support/cli-io.ts';
import { startCli } from '../support/cli-process.ts';
import { createUpdateFixture, type UpdateFixture } from '../support/update-fixture.ts';

// An update killed halfway (SIGKILL: no cleanup runs) and run again ends where an uninterrupted update of a copy
// of the same catalog and home ends: same locks, tags, history (but for the times) and changelog referrers.

const NAMES = ['config', 'lib', 'tool'] as const;
const TAGS = ['config:5', 'lib:1', 'tool:2'] as const;

let fx: UpdateFixture;
const twin = () => join(fx.dir, 'twin');

before(async () => {
  fx = await createUpdateFixture();
  // The first update runs the build's test stage (runc) on the three images before tagging them.
  const first = await fx.cli('update', '--distros', 'distros');
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /3 updated, 0 unchanged, 0 failed/);
  await fx.publishFix();
  for (const d of ['images', 'home', 'distros']) await cp(join(fx.dir, d), join(twin(), d), { recursive: true });
});
after(() => fx.close());

/** What an update leaves behind in a working directory and its home. */
async function state(dir: string) {
  const home = join(dir, 'home');
  const store = await LayoutStore.open(join(home, 'store'));
  const locks = await Promise.all(NAMES.map((n) => readFile(join(dir, 'images', n, 'ironclad.lock.json'), 'utf8')));
  const tags: Record<string, string | undefined> = {};
  const changelogs: Record<string, string[]> = {};
  for (const t of TAGS) {
    const digest = (await store.resolveTag(t))?.digest;
    tags[t] = digest;
    const referrers = digest === undefined ? [] : await store.referrers(digest);
    changelogs[t] = referrers.filter((r) => r.artifactType === CHANGELOG_ARTIFACT_TYPE).map((r) => r.digest);
  }
  const history: Record<string, unknown> = {};
  for (const n of NAMES) {
    const text = await readFile(join(home, 'history', `${n}.json`), 'utf8');
    const file = JSON.parse(text) as { entries: { at?: string }[] };
    history[n] = file.entries.map(({ at: _at, ...rest }) => rest);
  }
  return { locks, tags, changelogs, history };
}

test('an update killed halfway and run again ends in the state an uninterrupted update reaches', async () => {
  const io = captureIO(twin(), { IRONCLAD_HOME: join(twin(), 'home') });
  assert.equal(await runCli(['update', '--distros', 'distros', '--no-test'], io), 0, io.err.join('\n'));
  const expected = await state(twin());

  const child = startCli(['update', '--distros', 'distros', '--no-test'], fx.env, [], fx.dir);
  // Kill as soon as lib's move is recorded: its tags, its lock and all of tool are still to do.
  const libHistory = join(fx.dir, 'home', 'history', 'lib.json');
  let killed = false;
  let exited = false;
  void child.exited.then(() => (exited = true));
  const watch = (async () => {
    while (!exited) {
      const text = await readFile(libHistory, 'utf8').catch(() => '');
      if (text.split('"digest"').length > 2) {
        killed = process.kill(child.pid, 'SIGKILL');
        return;
      }
      await sleep(5);
    }
  })();
  const exit = await Promise.race([child.exited, watch.then(() => child.exited)]);
  assert.ok(killed && exit.signal === 'SIGKILL', `the update was killed halfway (${JSON.stringify(exit)})`);
  const halfway = await state(fx.dir);
  assert.notDeepEqual(halfway.locks, expected.locks, 'killed before every lock was written');

  const rerun = await fx.cli('update', '--distros', 'distros', '--no-test');
  assert.equal(rerun.code, 0, rerun.err);
  assert.deepEqual(await state(fx.dir), expected);
  const again = await fx.cli('update', '--distros', 'distros', '--no-test');
  assert.match(again.out, /0 updated, 3 unchanged, 0 failed/);
});

test('an image that fails its tests exits 1 and is left as it was; an image updated beside it is whole', async () => {
  const dir = join(fx.dir, 'images', 'config');
  const lockBefore = await readFile(join(dir, 'ironclad.lock.json'), 'utf8');
  const store = await LayoutStore.open(join(fx.dir, 'home', 'store'));
  const tagBefore = (await store.resolveTag('config:5'))?.digest;
  const libBefore = (await store.resolveTag('lib:1'))?.digest;
  await appendFile(join(dir, 'image.yaml'), 'tests:\n  - {name: runs, run: [/usr/bin/not-shipped]}\n');
  // lib untagged: the update rebuilds it (not in the store) at the same time as config.
  assert.equal((await fx.cli('rmi', 'lib:1')).code, 0);
  const r = await fx.cli('update', 'images/config', 'images/lib', '--distros', 'distros', '--jobs', '2');
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /failed \(TEST_FAILED\): lock and tags left as they were/);
  assert.match(r.out, /1 updated, 0 unchanged, 1 failed/);
  assert.equal(await readFile(join(dir, 'ironclad.lock.json'), 'utf8'), lockBefore);
  assert.equal((await store.resolveTag('config:5'))?.digest, tagBefore);
  assert.equal((await store.resolveTag('lib:1'))?.digest, libBefore, 'lib is tagged again, same digest');
});
