import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';

/**
 * A small HTTP proxy on 127.0.0.1 in front of a registry that injects faults. Each rule sees every request;
 * the first rule whose `match` returns true and that has faults left takes over that request.
 */
export type Fault =
  /** Answer with this status (and optional headers / JSON error body) instead of forwarding. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Read part of the request body, then destroy the connection. */
  | { kind: 'drop-request' }
  /** Forward, but flip a byte in the response body. */
  | { kind: 'corrupt-response' };

export interface FaultRule {
  match(req: IncomingMessage): boolean;
  fault: Fault;
  /** How many requests this rule affects; default 1. */
  times?: number;
}

export interface FaultProxy {
  readonly host: string;
  /** Requests seen, as `METHOD path` (path without query). */
  readonly seen: string[];
  readonly rules: FaultRule[];
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string, rules: FaultRule[] = []): Promise<FaultProxy> {
  const [targetHost, targetPort] = target.split(':');
  const seen: string[] = [];
  const used = new Map<FaultRule, number>();
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
    const rule = rules.find((r) => r.match(req) && (used.get(r) ?? 0) < (r.times ?? 1));
    if (rule !== undefined) used.set(rule, (used.get(rule) ?? 0) + 1);
    const fault = rule?.fault;
    if (fault?.kind === 'status') {
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? '');
      return;
    }
    if (fault?.kind === 'drop-request') {
      let got = 0;
      req.on('data', (d: Buffer) => {
        got += d.length;
        if (got > 0) req.socket.destroy();
      });
      req.on('end', () => req.socket.destroy());
      return;
    }
    forward(req, res, targetHost ?? '127.0.0.1', Number(targetPort), fault?.kind === 'corrupt-response');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    seen,
    rules,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function forward(req: IncomingMessage, res: ServerResponse, host: string, port: number, corrupt: boolean): void {
  const up = request(
    { host, port, method: req.method, path: req.url, headers: { ...req.headers, host: `${host}:${port}` } },
    (upRes) => {
      const headers = { ...upRes.headers };
      // Location headers name the registry's own host; clients must keep talking to the proxy.
      if (typeof headers.location === 'string') {
        headers.location = headers.location.replace(`http://${host}:${port}`, '');
      }
      res.writeHead(upRes.statusCode ?? 502, headers);
      let flipped = false;
      upRes.on('data', (d: Buffer) => {
        if (corrupt && !flipped && d.length > 0) {
          const copy = Buffer.from(d);
          copy[0] = (copy[0] ?? 0) ^ 0xff;
          flipped = true;
          res.write(copy);
        } else {
          res.write(d);
        }
      });
      upRes.on('end', () => res.end());
    },
  );
  up.on('error', () => res.destroy());
  req.pipe(up);
}
