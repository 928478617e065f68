import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { type HelperChild, SpawnHelper, spawnProcess } from '../../src/testing/spawn-helper.ts';

/** Everything a helper child reports: its output and how it ended. */
async function outcome(c: HelperChild) {
  let stdout = '';
  let stderr = '';
  c.stdout?.on('data', (b: Buffer) => {
    stdout += b.toString('utf8');
  });
  c.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString('utf8');
  });
  const errors: NodeJS.ErrnoException[] = [];
  c.on('error', (e: NodeJS.ErrnoException) => errors.push(e));
  // Not events.once: it would reject on the error event, which is part of what is reported here.
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    c.on('close', (code: number | null, signal: NodeJS.Signals | null) => resolve([code, signal])),
  );
  return { code, signal, stdout, stderr, errors };
}

/** Whether `pid` is a live process (a zombie, exited but not yet reaped, counts as gone). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') === false;
  } catch {
    return false;
  }
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('streams stdout and stderr and reports the exit code', async () => {
  const r = await outcome(spawnProcess('sh', ['-c', 'echo out; echo err >&2; exit 3']));
  assert.deepEqual(r, { code: 3, signal: null, stdout: 'out\n', stderr: 'err\n', errors: [] });
});

test('streams stdin to the process', async () => {
  const c = spawnProcess('cat', [], ['pipe', 'pipe', 'ignore']);
  const r = outcome(c);
  c.stdin?.write('hello ');
  c.stdin?.end('world');
  assert.deepEqual(await r, { code: 0, signal: null, stdout: 'hello world', stderr: '', errors: [] });
});

test('kill sends the signal, which the close event reports', async () => {
  const c = spawnProcess('sleep', ['30'], ['ignore', 'ignore', 'ignore']);
  await once(c, 'spawn');
  assert.ok(c.pid !== undefined && alive(c.pid));
  assert.equal(c.kill('SIGTERM'), true);
  const r = await outcome(c);
  assert.equal(r.code, null);
  assert.equal(r.signal, 'SIGTERM');
  assert.equal(c.kill('SIGKILL'), false, 'a closed process cannot be killed');
});

test('a missing program is an error with the ENOENT code', async () => {
  const r = await outcome(spawnProcess('ironclad-no-such-program', []));
  assert.equal(r.errors[0]?.code, 'ENOENT');
});

test('the child gets the environment and directory the caller has when it asks, and is not forked from it', async () => {
  process.env.IRONCLAD_SPAWN_HELPER_TEST = 'set after the helper started';
  try {
    const r = await outcome(spawnProcess('sh', ['-c', 'echo "$IRONCLAD_SPAWN_HELPER_TEST"; pwd; echo $PPID']));
    const [env, cwd, ppid] = r.stdout.trim().split('\n');
    assert.equal(env, 'set after the helper started');
    assert.equal(cwd, process.cwd());
    assert.notEqual(Number(ppid), process.pid, 'the helper, not this process, is its parent');
  } finally {
    delete process.env.IRONCLAD_SPAWN_HELPER_TEST;
  }
});

test('when the helper dies, its running children fail and the next spawn starts a new helper', async () => {
  const helper = new SpawnHelper();
  const c = helper.spawn('sleep', ['30'], ['ignore', 'ignore', 'ignore']);
  await once(c, 'spawn');
  const sleeper = c.pid ?? 0;
  const r = outcome(c);
  process.kill(helper.pid ?? 0, 'SIGKILL');
  const ended = await r;
  assert.equal(ended.errors[0]?.code, 'EHELPER');
  assert.equal(helper.alive, false);
  process.kill(sleeper, 'SIGKILL'); // orphaned by the killed helper
  const again = await outcome(spawnProcess('true', []));
  assert.equal(again.code, 0);
});

// A process that uses the helper: it prints the helper's pid and its child's, then waits (or, with `exit`, lets
// its event loop run dry, which the idle helper must not prevent).
const USER = (mode: 'wait' | 'exit') => `
import { once } from 'node:events';
import { SpawnHelper } from ${JSON.stringify(new URL('../../src/testing/spawn-helper.ts', import.meta.url).href)};
const helper = new SpawnHelper();
const c = helper.spawn('sleep', ['${mode === 'wait' ? '60' : '0'}'], ['ignore', 'ignore', 'ignore']);
await once(c, 'spawn');
console.log(JSON.stringify({ helper: helper.pid, child: c.pid }));
${mode === 'wait' ? 'setInterval(() => {}, 1000);' : "await once(c, 'close');"}
`;

function startUser(mode: 'wait' | 'exit') {
  const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', USER(mode)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pids = new Promise<{ helper: number; child: number }>((resolve) => {
    let out = '';
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      if (out.includes('\n')) resolve(JSON.parse(out) as { helper: number; child: number });
    });
  });
  return { p, pids };
}

test('when the process using the helper is killed, the helper ends its children and exits', async () => {
  const { p, pids } = startUser('wait');
  const { helper, child } = await pids;
  assert.ok(alive(helper) && alive(child));
  p.kill('SIGKILL');
  await until('the helper and its child to end', () => !alive(helper) && !alive(child));
});

test('an idle helper does not keep its process alive', async () => {
  const { p, pids } = startUser('exit');
  const { helper } = await pids;
  const [code] = (await once(p, 'exit')) as [number | null];
  assert.equal(code, 0);
  await until('the helper to exit', () => !alive(helper));
});
