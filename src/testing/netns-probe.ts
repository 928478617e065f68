import { fail } from '../core/index.ts';
import { spawnProcess } from './spawn-helper.ts';

/**
 * Network probes run from this machine *inside a container's network namespace* (where the service listens on
 * loopback and nothing else): `nsenter --net=NETNS` runs this same Node binary with a small client program, which
 * joins only the network namespace, so no file of the image is executed or trusted. The program prints one JSON
 * line; everything it reads from the service is bounded.
 */

/** Bytes of a TCP answer or HTTP body kept. */
export const MAX_PROBE_BYTES = 1024 * 1024;

export type ProbeRequest =
  | { readonly kind: 'wait'; readonly port: number; readonly path?: string; readonly timeoutMs: number }
  | { readonly kind: 'tcp'; readonly port: number; readonly send?: string; readonly timeoutMs: number }
  | { readonly kind: 'http'; readonly port: number; readonly path: string; readonly timeoutMs: number };

export type ProbeAnswer =
  | { readonly ok: true; readonly data?: string; readonly status?: number; readonly headers?: Record<string, string> }
  | { readonly ok: false; readonly error: string };

// Plain CommonJS for `node -e`. `wait` retries a connect every 100 ms, or with a path a GET until it answers 2xx;
// `tcp` sends, then reads until the server closes, 1 s passes without data, or the limit; `http` is one GET with
// Connection: close. A write to a pipe is asynchronous: exiting before it has drained cuts the answer at the pipe's
// 64 KiB when this side reads late (a busy machine, a 220 KB CA bundle), so the client exits once it is written.
const CLIENT = `
const net = require('node:net'); const http = require('node:http');
const q = JSON.parse(process.argv[1]); const max = ${MAX_PROBE_BYTES};
let sent = false;
const done = (a) => { if (sent) return; sent = true;
  process.stdout.write(JSON.stringify(a) + '\\n', () => process.exit(0)); };
let last = 'no answer';
setTimeout(() => done({ ok: false, error: last + ' within ' + q.timeoutMs + ' ms' }), q.timeoutMs).unref();
const get = (onAnswer, onError) => {
  const req = http.get({ host: '127.0.0.1', port: q.port, path: q.path, headers: { Connection: 'close' } }, onAnswer);
  req.on('error', onError);
};
if (q.kind === 'wait' && q.path === undefined) {
  const tryOnce = () => { const s = net.connect(q.port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); done({ ok: true }); });
    s.once('error', () => { s.destroy(); setTimeout(tryOnce, 100); }); };
  tryOnce();
} else if (q.kind === 'wait') {
  const again = () => setTimeout(tryOnce, 100);
  const tryOnce = () => get((res) => { res.resume();
    if (res.statusCode >= 200 && res.statusCode < 300) done({ ok: true, status: res.statusCode });
    else { last = 'last answer: status ' + res.statusCode; again(); } }, (e) => { last = e.message; again(); });
  tryOnce();
} else if (q.kind === 'tcp') {
  const s = net.connect(q.port, '127.0.0.1'); let buf = ''; let idle;
  const finish = () => { s.destroy(); done({ ok: true, data: buf }); };
  const arm = () => { clearTimeout(idle); idle = setTimeout(finish, 1000); };
  s.once('connect', () => { if (q.send !== undefined) s.write(q.send); arm(); });
  s.on('data', (c) => { buf += c.toString('utf8'); if (buf.length >= max) { buf = buf.slice(0, max); finish(); } else arm(); });
  s.once('end', finish);
  s.once('error', (e) => done({ ok: false, error: e.message }));
} else {
  get((res) => {
    let body = ''; res.setEncoding('utf8');
    res.on('data', (c) => { if (body.length < max) body += c; });
    res.on('end', () => { const headers = {};
      for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
      done({ ok: true, status: res.statusCode, headers, data: body.slice(0, max) }); });
  }, (e) => done({ ok: false, error: e.message }));
}
`;

/**
 * Runs one probe in the network namespace `netns` (`/proc/PID/ns/net`) and resolves its answer; a connection
 * refused or a timeout is an answer (`ok: false`), not an error.
 * @throws IroncladError RUNTIME_UNAVAILABLE when nsenter cannot run (missing, not root).
 */
export function probeInNetns(netns: string, q: ProbeRequest): Promise<ProbeAnswer> {
  return new Promise<ProbeAnswer>((resolve, reject) => {
    const child = spawnProcess(
      'nsenter',
      [`--net=${netns}`, '--', process.execPath, '-e', CLIENT, JSON.stringify(q)],
      ['ignore', 'pipe', 'pipe'],
    );
    let out = '';
    let err = '';
    child.stdout?.on('data', (c: Buffer) => {
      if (out.length < 4 * MAX_PROBE_BYTES) out += c.toString('utf8');
    });
    child.stderr?.on('data', (c: Buffer) => {
      if (err.length < 4096) err += c.toString('utf8');
    });
    // The client ends itself at timeoutMs; this only guards against a wedged nsenter.
    const guard = setTimeout(() => child.kill('SIGKILL'), q.timeoutMs + 10_000);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(guard);
      reject(
        e.code === 'ENOENT'
          ? new Error('nsenter is not installed (util-linux)')
          : new Error(`cannot start nsenter: ${e.message}`),
      );
    });
    child.on('close', () => {
      clearTimeout(guard);
      try {
        resolve(JSON.parse(out.trim()) as ProbeAnswer);
      } catch {
        resolve({ ok: false, error: `probe failed: ${err.trim() || 'no output'}` });
      }
    });
  }).catch((e: Error) => fail('RUNTIME_UNAVAILABLE', e.message, { hint: 'install util-linux and run as root' }));
}
