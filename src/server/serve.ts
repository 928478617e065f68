import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fail, type Logger } from '../core/index.ts';
import { CONTENT_SECURITY_POLICY_HEADER } from './html.ts';
import type { ListQuery } from './list-page.ts';
import { sitePage } from './site.ts';
import type { SiteModel } from './site-model.ts';

export interface ServeOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly log: Logger;
}

export interface RunningServer {
  /** `http://HOST:PORT/` */
  readonly url: string;
  close(): Promise<void>;
}

const HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY_HEADER,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * Serves the web catalog over HTTP (node:http): GET and HEAD only, paths the catalog names only. Pages without a
 * query are rendered once and kept; the model is read-only, so nothing on disk is ever written.
 */
export async function startServer(model: SiteModel, opts: ServeOptions): Promise<RunningServer> {
  const cache = new Map<string, string>();
  const server = createServer((req, res) => {
    handle(model, cache, req, res).catch((err: unknown) => {
      opts.log.warn(`serving ${req.url}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n', req.method === 'HEAD');
      else res.destroy();
    });
  });
  await listen(server, opts);
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(model: SiteModel, cache: Map<string, string>, req: IncomingMessage, res: ServerResponse) {
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', head);
  }
  const url = new URL(req.url ?? '/', 'http://catalog.invalid');
  const path = decodeURIComponent(url.pathname).replace(/^\/+/, '');
  const query = listQuery(url.searchParams);
  const key = url.search === '' ? path : undefined;
  const cached = key === undefined ? undefined : cache.get(key);
  if (cached !== undefined) return send(res, 200, typeOf(path), cached, head);
  const page = await sitePage(model, path, query);
  if (page === undefined) return send(res, 404, 'text/plain; charset=utf-8', `not found: /${path}\n`, head);
  if (key !== undefined) cache.set(key, page.body);
  return send(res, 200, page.type, page.body, head);
}

function typeOf(path: string): string {
  return path.endsWith('.json') ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8';
}

function listQuery(p: URLSearchParams): ListQuery {
  return {
    q: (p.get('q') ?? '').slice(0, 200),
    distro: (p.get('distro') ?? '').slice(0, 64),
    eol: p.get('eol') === '1',
  };
}

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...HEADERS, 'content-type': type, 'content-length': bytes.length });
  res.end(head ? undefined : bytes);
}

function listen(server: Server, opts: ServeOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      try {
        fail('USAGE', `cannot listen on ${opts.host}:${opts.port}: ${err.code ?? err.message}`, {
          hint: 'choose another --port (0 picks a free one)',
          cause: err,
        });
      } catch (e) {
        reject(e);
      }
    });
    server.listen(opts.port, opts.host, () => resolve());
  });
}
