import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { assertNever } from '../core/index.ts';

/**
 * Starting a process from Node forks the whole calling process (libuv uses fork() on Linux; posix_spawn only
 * on macOS), at a cost that grows with its mapped memory: a build, update or test run holding a large heap pays
 * tens to hundreds of milliseconds per runc, nsenter or mount process, on its main thread. So every process the
 * tests start is started by a small helper: one Node process (this file's HELPER program) with a small heap,
 * started once, which spawns on request over an IPC channel and streams the child's output back. The caller
 * then pays one message per process, and the fork happens in a process of a few tens of MB.
 *
 * The helper holds no state of ours and trusts nothing it is sent beyond running it: it is our own child, and its
 * requests come only from its parent. It ignores SIGINT and SIGTERM (a Ctrl-C reaches the whole process group: the
 * caller decides how its children end), and when its parent goes away (the IPC channel closes: a crash, a kill,
 * a normal exit) it sends SIGTERM to every child still running (runc passes it on to the container), SIGKILL to
 * what is left KILL_GRACE_MS later, and exits.
 */

/** How long children get after SIGTERM before SIGKILL when the parent of the helper is gone. */
const KILL_GRACE_MS = 5000;

// Plain CommonJS for `node -e`, with Node's structured-clone serialization on the channel (Buffers pass as they
// are). Messages in: spawn {id, file, args, env, cwd, stdio}, stdin {id, chunk}, stdin-end {id}, kill {id, sig}.
// Out: spawn {id, pid}, error {id, code, message}, data {id, fd, chunk}, close {id, code, signal}; for one child
// in the order its events happened, close after the last data.
const HELPER = `
const { spawn } = require('node:child_process');
const children = new Map();
const send = (m) => { if (process.connected) process.send(m); };
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.on('message', (m) => {
  if (m.op === 'spawn') {
    let c;
    try {
      c = spawn(m.file, m.args, { env: m.env, cwd: m.cwd, stdio: m.stdio });
    } catch (e) {
      send({ op: 'error', id: m.id, code: e.code, message: e.message });
      send({ op: 'close', id: m.id, code: -1, signal: null });
      return;
    }
    children.set(m.id, c);
    c.on('spawn', () => send({ op: 'spawn', id: m.id, pid: c.pid }));
    c.on('error', (e) => send({ op: 'error', id: m.id, code: e.code, message: e.message }));
    if (c.stdout) c.stdout.on('data', (chunk) => send({ op: 'data', id: m.id, fd: 1, chunk }));
    if (c.stderr) c.stderr.on('data', (chunk) => send({ op: 'data', id: m.id, fd: 2, chunk }));
    if (c.stdin) c.stdin.on('error', () => {});
    c.on('close', (code, signal) => { children.delete(m.id); send({ op: 'close', id: m.id, code, signal }); });
  } else if (m.op === 'kill') {
    try { children.get(m.id)?.kill(m.sig); } catch {}
  } else if (m.op === 'stdin') {
    children.get(m.id)?.stdin?.write(m.chunk);
  } else if (m.op === 'stdin-end') {
    children.get(m.id)?.stdin?.end();
  }
});
process.on('disconnect', () => {
  for (const c of children.values()) try { c.kill('SIGTERM'); } catch {}
  const end = () => process.exit(0);
  if (children.size === 0) return end();
  setTimeout(() => { for (const c of children.values()) try { c.kill('SIGKILL'); } catch {} end(); },
    ${KILL_GRACE_MS}).unref();
  const check = setInterval(() => { if (children.size === 0) { clearInterval(check); end(); } }, 50);
});
`;

type HelperMessage =
  | { op: 'spawn'; id: number; pid: number }
  | { op: 'error'; id: number; code?: string; message: string }
  | { op: 'data'; id: number; fd: 1 | 2; chunk: Uint8Array }
  | { op: 'close'; id: number; code: number | null; signal: NodeJS.Signals | null };

type Stdio = 'ignore' | 'pipe';

/**
 * A process started by the helper, shaped like the parts of `ChildProcess` the tests use: `stdout`/`stderr`
 * (null unless piped), `stdin` (null unless piped), `kill(signal)`, and the events `spawn`, `error` (an Error
 * with the `code` of the failed spawn, e.g. ENOENT; also when the helper itself dies) and `close` (code, signal),
 * emitted once, after all output.
 */
export class HelperChild extends EventEmitter {
  readonly stdout: PassThrough | null;
  readonly stderr: PassThrough | null;
  readonly stdin: Writable | null;
  pid: number | undefined;
  #closed = false;

  constructor(
    readonly id: number,
    stdio: readonly [Stdio, Stdio, Stdio],
    readonly helper: SpawnHelper,
  ) {
    super();
    this.stdout = stdio[1] === 'pipe' ? new PassThrough() : null;
    this.stderr = stdio[2] === 'pipe' ? new PassThrough() : null;
    this.stdin =
      stdio[0] === 'pipe'
        ? new Writable({
            write: (chunk: Buffer, _enc, done) => {
              helper.post({ op: 'stdin', id, chunk });
              done();
            },
            final: (done) => {
              helper.post({ op: 'stdin-end', id });
              done();
            },
          })
        : null;
  }

  /** Sends `signal` (default SIGTERM) to the process; false once it has closed. */
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.#closed) return false;
    this.helper.post({ op: 'kill', id: this.id, sig: signal });
    return true;
  }

  /** Applies one event the helper reported for this process. */
  deliver(m: HelperMessage): void {
    if (this.#closed) return;
    switch (m.op) {
      case 'spawn':
        this.pid = m.pid;
        this.emit('spawn');
        return;
      case 'error':
        this.emit('error', Object.assign(new Error(m.message), m.code === undefined ? {} : { code: m.code }));
        return;
      case 'data':
        (m.fd === 1 ? this.stdout : this.stderr)?.write(Buffer.from(m.chunk));
        return;
      case 'close':
        this.#closed = true;
        this.stdout?.end();
        this.stderr?.end();
        // After the streams' last 'data' events, as ChildProcess emits 'close' after its stdio closed.
        setImmediate(() => this.emit('close', m.code, m.signal));
        return;
      default:
        assertNever(m);
    }
  }
}

/** One helper process and the children it runs for this process. */
export class SpawnHelper {
  readonly #proc: ChildProcess;
  readonly #children = new Map<number, HelperChild>();
  #next = 0;
  #dead = false;

  constructor() {
    // A clean environment for the helper itself (NODE_OPTIONS could preload anything, even tsx); each child
    // gets the caller's environment with its request.
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    this.#proc = spawn(process.execPath, ['-e', HELPER], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
      env,
    });
    this.#proc.on('message', (m: HelperMessage) => {
      const child = this.#children.get(m.id);
      if (m.op === 'close') this.#children.delete(m.id);
      child?.deliver(m);
      this.#idle();
    });
    this.#proc.on('error', (e) => this.#fail(`the process helper could not start: ${e.message}`));
    this.#proc.on('exit', (code, signal) => this.#fail(`the process helper exited (${signal ?? code})`));
    this.#idle();
  }

  /** Whether the helper can take requests (it has not exited). */
  get alive(): boolean {
    return !this.#dead;
  }

  /** The helper's pid (for tests). */
  get pid(): number | undefined {
    return this.#proc.pid;
  }

  /**
   * Starts `file` with `args` in the helper, with this process's environment and working directory now.
   * Failures come as the child's `error` event, as with `child_process.spawn`.
   */
  spawn(file: string, args: readonly string[], stdio: readonly [Stdio, Stdio, Stdio]): HelperChild {
    const id = this.#next++;
    const child = new HelperChild(id, stdio, this);
    this.#children.set(id, child);
    this.#idle();
    this.post({ op: 'spawn', id, file, args, env: { ...process.env }, cwd: process.cwd(), stdio });
    return child;
  }

  /** Sends one request; dropped once the helper is gone (its children were then told it failed). */
  post(m: object): void {
    if (this.#dead || !this.#proc.connected) return;
    this.#proc.send(m);
  }

  /** Ends the helper (its children get SIGTERM, as when this process exits). */
  stop(): void {
    if (this.#proc.connected) this.#proc.disconnect();
  }

  /** The helper keeps this process alive only while it runs something for it. */
  #idle(): void {
    const busy = this.#children.size > 0;
    if (busy) {
      this.#proc.ref();
      this.#proc.channel?.ref();
    } else {
      this.#proc.unref();
      this.#proc.channel?.unref();
    }
  }

  #fail(message: string): void {
    if (this.#dead) return;
    this.#dead = true;
    for (const [id, child] of this.#children) {
      child.deliver({ op: 'error', id, code: 'EHELPER', message });
      child.deliver({ op: 'close', id, code: null, signal: 'SIGKILL' });
    }
    this.#children.clear();
    this.#idle();
  }
}

let shared: SpawnHelper | undefined;

/**
 * Starts `file` with `args` from the shared helper (started on first use, again if it died), like
 * `child_process.spawn(file, args, { stdio })` with stdio 'ignore' or 'pipe' per stream.
 */
export function spawnProcess(
  file: string,
  args: readonly string[],
  stdio: readonly [Stdio, Stdio, Stdio] = ['ignore', 'pipe', 'pipe'],
): HelperChild {
  if (shared?.alive !== true) shared = new SpawnHelper();
  return shared.spawn(file, args, stdio);
}
