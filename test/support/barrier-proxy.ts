import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy on 127.0.0.1 in front of a registry that turns "started at once" into "at the same instant":
 * the first `parties` requests whose path ends with one of `paths` are held until all of them have arrived (or
 * `timeoutMs` passed), then forwarded together. Everything else is forwarded as is, Host header included, so the
 * registry's Location headers point back at the proxy.
 */
export interface BarrierProxy {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** How many held requests were released because every party arrived (not by the timeout). */
  readonly met: () => number;
  stop(): Promise<void>;
}

export async function startBarrierProxy(
  upstream: string,
  paths: readonly string[],
  parties: number,
  timeoutMs = 10_000,
): Promise<BarrierProxy> {
  const [upHost, upPort] = upstream.split(':');
  const waiting = new Map<string, (() => void)[]>();
  let met = 0;
  const barrier = (path: string): Promise<void> | undefined => {
    const key = paths.find((p) => path.endsWith(p));
    if (key === undefined) return undefined;
    const queue = waiting.get(key) ?? [];
    if (queue.length >= parties) return undefined; // this path's barrier is already past
    waiting.set(key, queue);
    return new Promise<void>((release) => {
      queue.push(release);
      if (queue.length === parties) {
        met += parties;
        for (const r of queue) r();
      } else setTimeout(release, timeoutMs).unref();
    });
  };
  const server = createServer((req, res) => {
    const forward = () => {
      const up = request(
        { host: upHost, port: Number(upPort), path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    };
    const held = barrier(req.url ?? '');
    if (held === undefined) forward();
    else void held.then(forward);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    met: () => met,
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
