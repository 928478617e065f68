/**
 * How a long command shows where it is, on stderr (stdout carries only results). On a terminal one status line
 * is redrawn in place; anywhere else (CI logs, `2> file`) each step gets a line of its own and the counters of a
 * long step (bytes, packages, records) a line every few seconds, so a six-minute build is never silent.
 */

/** Where progress goes: stderr in the CLI, a buffer in tests. */
export interface ProgressSink {
  write(text: string): void;
  readonly tty: boolean;
  /** Terminal width; 0 or undefined when unknown (a pty without a size reports 0). */
  columns(): number | undefined;
}

/** On a non-terminal, at most one counter line per this many milliseconds. */
export const LINE_TICK_MS = 5000;
/** On a terminal, counters redraw at most this often: a redraw per network chunk would flood the terminal. */
const TTY_TICK_MS = 100;
const DEFAULT_COLUMNS = 80;

/** The progress state of one command: the step it is in and when a counter was last shown. */
export class ProgressLine {
  private shown = false;
  /** The text on the status line while `shown`. */
  private drawn = '';
  private lastStep = '';
  private lastLineAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly sink: ProgressSink,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new step (`msg`), or the end of progress (`''`). Shown at once; a repeated step is not printed twice. */
  step(msg: string): void {
    if (this.sink.tty) {
      if (msg === '') this.clear();
      else if (!this.shown || msg !== this.drawn) this.draw(msg);
      return;
    }
    if (msg === '' || msg === this.lastStep) return;
    this.lastStep = msg;
    this.line(msg);
  }

  /** How far the current step has got; shown only when the last line or redraw is old enough. */
  tick(msg: string): void {
    const elapsed = this.now() - this.lastLineAt;
    if (this.sink.tty) {
      if (elapsed >= TTY_TICK_MS) this.draw(msg);
    } else if (elapsed >= LINE_TICK_MS) {
      this.line(msg);
    }
  }

  /** Removes the status line before other text is written to the same stream (a no-op off a terminal). */
  clear(): void {
    if (!this.shown) return;
    this.sink.write('\r\x1b[K');
    this.shown = false;
  }

  private draw(msg: string): void {
    // One column short of the width: writing into the last column makes some terminals wrap.
    const columns = this.sink.columns() || DEFAULT_COLUMNS;
    this.sink.write(`\r\x1b[K${msg.slice(0, columns - 1)}`);
    this.shown = true;
    this.drawn = msg;
    this.lastLineAt = this.now();
  }

  private line(msg: string): void {
    this.sink.write(`${msg}\n`);
    this.lastLineAt = this.now();
  }
}
