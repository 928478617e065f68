import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stderrLogger } from '../../src/core/context.ts';
import { LINE_TICK_MS, ProgressLine, type ProgressSink } from '../../src/core/progress.ts';

function sink(tty: boolean, columns?: number): ProgressSink & { text: string } {
  const s = {
    text: '',
    tty,
    columns: () => columns,
    write: (t: string) => {
      s.text += t;
    },
  };
  return s;
}

test('off a terminal each step is one line, a repeated step is not printed again, and the end prints nothing', () => {
  const out = sink(false);
  const p = new ProgressLine(out, () => 0);
  p.step('bookworm: fetching InRelease');
  p.step('bookworm: fetching InRelease');
  p.step('linux/amd64: loading debian-12 package indices');
  p.step('');
  assert.equal(out.text, 'bookworm: fetching InRelease\nlinux/amd64: loading debian-12 package indices\n');
});

test('off a terminal counters are printed every few seconds, not on every call', () => {
  const out = sink(false);
  let now = 1_000_000;
  const p = new ProgressLine(out, () => now);
  p.step('fetching packages');
  for (let i = 1; i <= 100; i++) {
    now += LINE_TICK_MS / 10;
    p.tick(`fetched ${i}/100 packages`);
  }
  const lines = out.text.trimEnd().split('\n');
  assert.equal(lines[0], 'fetching packages');
  // 100 calls over ten intervals: one counter line per interval.
  assert.equal(lines.length, 11);
  assert.equal(lines[1], 'fetched 10/100 packages');
  assert.equal(lines.at(-1), 'fetched 100/100 packages');
});

test('on a terminal the status line keeps its last character when the width is unknown (a pty reports 0)', () => {
  for (const columns of [0, undefined]) {
    const out = sink(true, columns);
    new ProgressLine(out, () => 0).step('bookworm: fetching InRelease');
    assert.equal(out.text, '\r\x1b[Kbookworm: fetching InRelease');
  }
});

test('on a terminal a line longer than the width is cut one column short, and the end clears it', () => {
  const out = sink(true, 10);
  const p = new ProgressLine(out, () => 0);
  p.step('0123456789abcdef');
  p.step('');
  assert.equal(out.text, '\r\x1b[K012345678\r\x1b[K');
});

test('on a terminal a step already on the status line is not drawn again', () => {
  const out = sink(true, 80);
  const p = new ProgressLine(out, () => 0);
  p.step('copying to out');
  p.step('copying to out');
  assert.equal(out.text, '\r\x1b[Kcopying to out');
});

test('log lines replace the status line instead of being appended to it', () => {
  const out = sink(true, 80);
  const log = stderrLogger({ sink: out });
  log.progress('assembling');
  log.warn('mirror is slow');
  log.info('done');
  assert.equal(out.text, '\r\x1b[Kassembling\r\x1b[Kwarning: mirror is slow\ndone\n');
});
