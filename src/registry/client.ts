import {
  DEFAULT_NETWORK_POLICY,
  type Fetch,
  fail,
  type Logger,
  type NetworkPolicy,
  type StageContext,
  withRetry,
  withTimeouts,
  withUserAgent,
} from '../core/index.ts';
import { Authenticator, type RegistryCredentials } from './auth.ts';
import { responseError, transportError } from './errors.ts';

export interface RegistryClientOptions {
  /** `host[:port]`, e.g. `ghcr.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  readonly host: string;
  /** Plain http for a non-loopback host. Loopback hosts always use http. */
  readonly insecure?: boolean;
  readonly credentials?: RegistryCredentials | undefined;
  readonly userAgent?: string;
  /** Overrides of the run's network policy (ctx.network), e.g. fewer attempts in tests. */
  readonly network?: Partial<NetworkPolicy>;
  /** Blobs up to this size go in one PUT; larger ones in PATCH chunks of this size. Default 8 MiB. */
  readonly chunkSize?: number;
}

/** One HTTP exchange with the registry, as the operations describe it. */
export interface RegistryRequest {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** A path below the host (`/v2/…`) or an absolute URL (upload locations). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Always in memory, so any try can be replayed as it is. */
  readonly body?: Uint8Array;
  /** What is being done, for messages: "pulling manifest latest from host/repo". */
  readonly action: string;
  /** Token scopes the request needs (auth.ts repositoryScope). */
  readonly scopes: readonly string[];
  /** Statuses returned to the caller; anything else becomes an IroncladError. Default: any 2xx. */
  readonly accept?: readonly number[];
  /** Policy override; `{attempts: 1}` for requests whose caller retries at a higher level. */
  readonly retry?: NetworkPolicy;
}

const MAX_REDIRECTS = 5;
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
const HOST_RE =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * A client for one registry host (OCI distribution spec 1.1). It owns the transport stack
 * (user-agent → timeouts → auth, with the one retry policy of core/retry.ts per request) and the auth state; the operations in
 * manifests.ts, blobs.ts, upload.ts, referrers.ts and tags.ts are functions over it.
 */
export class RegistryClient {
  readonly host: string;
  readonly baseUrl: string;
  readonly chunkSize: number;
  readonly retryPolicy: NetworkPolicy;
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly now: () => number;
  /** Fetch without credentials: user-agent and timeouts only. */
  private readonly plainFetch: Fetch;
  private readonly auth: Authenticator;

  constructor(opts: RegistryClientOptions, ctx: StageContext) {
    if (!HOST_RE.test(opts.host)) fail('USAGE', `"${opts.host.slice(0, 100)}" is not a registry host[:port]`);
    this.host = opts.host.toLowerCase();
    const hostname = this.host.replace(/:\d+$/, '');
    const scheme = opts.insecure === true || LOOPBACK.test(hostname) ? 'http' : 'https';
    this.baseUrl = `${scheme}://${this.host}`;
    this.chunkSize = opts.chunkSize ?? 8 * 1024 * 1024;
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1024) fail('USAGE', 'chunk size must be ≥ 1024 bytes');
    this.retryPolicy = { ...DEFAULT_NETWORK_POLICY, ...ctx.network, ...opts.network };
    this.log = ctx.log;
    this.signal = ctx.signal;
    this.now = () => ctx.now().getTime();
    this.plainFetch = withTimeouts(withUserAgent(ctx.fetch, opts.userAgent ?? 'ironclad'), this.retryPolicy);
    this.auth = new Authenticator({
      fetch: this.plainFetch,
      credentials: opts.credentials,
      now: this.now,
      signal: ctx.signal,
    });
  }

  /** `/v2/<repo>/<rest>`, with the repository name checked against the spec's grammar. */
  repoPath(repo: string, rest: string): string {
    // distribution spec, "Pulling manifests": <name> is [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/…)*
    if (!/^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/.test(repo)) {
      fail('USAGE', `"${repo.slice(0, 200)}" is not a valid repository name`);
    }
    return `/v2/${repo}/${rest}`;
  }

  /**
   * Checks that the host speaks the distribution API and accepts our credentials (`GET /v2/`, spec "end-1");
   * for `ironclad login`. Throws REGISTRY_DENIED for refused credentials, REGISTRY_UNAVAILABLE otherwise.
   */
  async ping(): Promise<void> {
    const res = await this.request({ method: 'GET', path: '/v2/', action: `checking ${this.host}`, scopes: [] });
    await res.body?.cancel();
  }

  /**
   * Sends a request with auth, redirects and retries. Returns a response whose status is in `accept`;
   * the caller consumes or cancels its body. Throws IroncladError for everything else (errors.ts).
   */
  request(req: RegistryRequest): Promise<Response> {
    const url = new URL(req.path, this.baseUrl).toString();
    return withRetry((_, signal) => this.once(req, url, signal), req.retry ?? this.retryPolicy, {
      signal: this.signal,
      what: req.action,
      onRetry: (err, ms) => this.log.debug(`${err.message}; retrying in ${ms} ms`),
    });
  }

  private async once(req: RegistryRequest, url: string, signal: AbortSignal): Promise<Response> {
    let target = url;
    let authorized = true;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await this.send(req, target, authorized, signal);
      const location = res.headers.get('location');
      if (isRedirect(res.status) && location !== null && !(req.accept ?? []).includes(res.status)) {
        await res.body?.cancel();
        const next = new URL(location, target);
        // Credentials stay with the registry: a redirect to storage (S3, a CDN) gets none.
        authorized = authorized && next.origin === new URL(target).origin;
        target = next.toString();
        continue;
      }
      const accepted = req.accept ?? [];
      if ((accepted.length === 0 && res.ok) || accepted.includes(res.status)) return res;
      throw await responseError(res, { action: req.action, url: target }, this.now());
    }
    fail('REGISTRY_UNAVAILABLE', `${req.action}: more than ${MAX_REDIRECTS} redirects`);
  }

  private async send(req: RegistryRequest, url: string, authorized: boolean, signal: AbortSignal): Promise<Response> {
    for (let tries = 0; ; tries++) {
      const headers = new Headers(req.headers);
      if (authorized) {
        const value = await this.auth.authorize(req.scopes);
        if (value !== undefined) headers.set('authorization', value);
      }
      const init: RequestInit = { method: req.method, headers, redirect: 'manual', signal };
      if (req.body !== undefined) init.body = req.body;
      let res: Response;
      try {
        res = await this.plainFetch(url, init);
      } catch (err) {
        throw transportError(err, { action: req.action, url }, this.signal);
      }
      if (res.status !== 401 || !authorized || tries > 0 || !this.auth.challenged(res, req.scopes)) return res;
      await res.body?.cancel();
    }
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** Creates a client for one host; nothing touches the network until the first operation. */
export function createRegistryClient(opts: RegistryClientOptions, ctx: StageContext): RegistryClient {
  return new RegistryClient(opts, ctx);
}
