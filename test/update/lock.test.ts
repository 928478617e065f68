import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../../src/cli/main.ts';
import { silentLogger } from '../../src/core/index.ts';
import { captureIO } from '../support/cli-io.ts';
import { createUpdateFixture, type UpdateFixture } from '../support/update-fixture.ts';

// Two updates on one home: the second waits (saying for whom) until the first has finished, then plans.

let fx: UpdateFixture;
before(async () => {
  fx = await createUpdateFixture();
});
after(() => fx.close());

test('an update waits while another process holds the home, then runs; a dry run does not wait', async () => {
  const home = fx.env.IRONCLAD_HOME ?? '';
  // Another process holding the update lock: a live pid in the lock file, as a running update leaves it.
  const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
  await once(holder, 'spawn');
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'update.lock'), String(holder.pid));
  try {
    const dry = await fx.cli('update', '--distros', 'distros', '--dry-run');
    assert.equal(dry.code, 0, dry.err);

    const infos: string[] = [];
    const io = { ...captureIO(fx.dir, fx.env), log: { ...silentLogger, info: (m: string) => infos.push(m) } };
    let done = false;
    const running = runCli(['update', '--distros', 'distros', '--no-test'], io).finally(() => (done = true));
    while (infos.length === 0 && !done) await sleep(20);
    assert.match(
      infos[0] ?? '',
      new RegExp(`another ironclad update \\(pid ${holder.pid}\\) is running on .*; waiting`),
    );
    await sleep(300);
    assert.equal(done, false, 'still waiting while the holder lives');
    await assert.rejects(access(join(home, 'history')), 'nothing was built meanwhile');
    holder.kill();
    assert.equal(await running, 0, io.err.join('\n'));
    assert.match(io.out.join('\n'), /3 updated, 0 unchanged, 0 failed/);
    assert.ok(!(await readdir(home)).includes('update.lock'), 'the lock is released');
  } finally {
    holder.kill();
  }
});
