import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startCli } from '../support/cli-process.ts';

// A CLI process whose stderr is a pipe (CI logs, `2> file`) still says what it is doing: one line per step,
// never the terminal's carriage returns and erase codes.

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'ironclad-progress-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('cache verify into a pipe prints each step as a line of its own', async () => {
  const r = await startCli(['cache', 'verify'], { IRONCLAD_HOME: join(work, 'home') }).exited;
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.split('\n');
  for (const kind of ['deb-contents', 'layers', 'resolutions']) {
    assert.ok(
      lines.some((l) => l.startsWith(`verifying ${kind}`)),
      r.stderr,
    );
  }
  assert.ok(!r.stderr.includes('\r') && !r.stderr.includes('\x1b['), JSON.stringify(r.stderr));
});
