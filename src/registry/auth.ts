import { type Fetch, fail } from '../core/index.ts';
import { readLimitedText, redactUrl, transportError } from './errors.ts';

/**
 * Registry authentication: anonymous, HTTP Basic, and the bearer token flow of the distribution token spec
 * (docker/distribution docs/spec/auth/token.md, oauth.md). Credentials are only sent after the registry
 * asked for them with a 401 challenge, and tokens are cached per scope set until they expire.
 */

export type RegistryCredentials =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** An OAuth2 refresh token (docker config `identitytoken`), exchanged at the token realm. */
  | { readonly kind: 'identity-token'; readonly token: string };

/** One challenge of a WWW-Authenticate header (RFC 9110 §11.6.1); scheme lower-cased. */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Token responses are tiny JSON documents; anything larger is not one. */
const MAX_TOKEN_RESPONSE = 1024 * 1024;
/** Spec (token.md): "expires_in … defaults to 60 seconds". Refresh a little early to absorb clock skew. */
const DEFAULT_TOKEN_SECONDS = 60;
const EARLY_REFRESH_MS = 10_000;

/**
 * Parses `Bearer realm="…",service="…",scope="…"` and friends. Several challenges may share one header
 * (`Basic realm="x", Bearer realm="y"`): a bare token not followed by `=` starts a new challenge.
 */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  const re = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*)))?\s*,?/y;
  let pos = 0;
  while (pos < header.length && out.length < 10) {
    re.lastIndex = pos;
    const m = re.exec(header);
    if (m === null || m[0] === '') break;
    pos = re.lastIndex;
    const [, name = '', isParam, quoted, bare] = m;
    if (isParam === undefined) {
      out.push({ scheme: name.toLowerCase(), params: {} });
      continue;
    }
    const current = out.at(-1);
    if (current === undefined) break;
    current.params[name.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '');
  }
  return out;
}

/** Repository scope strings (token.md "Requesting a Token"): `repository:<name>:pull,push`. */
export function repositoryScope(repo: string, actions: 'pull' | 'pull,push' | 'delete'): string {
  return `repository:${repo}:${actions}`;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

export interface AuthenticatorOptions {
  /** Fetch without auth (user-agent and timeouts applied); also used for the token realm. */
  readonly fetch: Fetch;
  readonly credentials?: RegistryCredentials | undefined;
  /** Milliseconds since the epoch; injected so token expiry is testable and stages stay pure. */
  readonly now: () => number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Holds what one registry host told us about how to authenticate, plus the cached tokens. One per client.
 * Not tied to a request: the client asks `authorize(scopes)` for a header and reports 401s to `challenged`.
 */
export class Authenticator {
  private basic = false;
  private bearer: { realm: string; service: string | undefined } | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  /** Token requests in flight, so parallel requests for one scope set share one round trip. */
  private readonly pending = new Map<string, Promise<CachedToken>>();

  constructor(private readonly opts: AuthenticatorOptions) {}

  /** The Authorization header value for a request needing `scopes`, or undefined before any challenge. */
  async authorize(scopes: readonly string[]): Promise<string | undefined> {
    if (this.basic && this.opts.credentials?.kind === 'basic') return basicHeader(this.opts.credentials);
    if (this.bearer === undefined) return undefined;
    const key = [...scopes].sort().join(' ');
    const cached = this.tokens.get(key);
    if (cached !== undefined && cached.expiresAt > this.opts.now()) return `Bearer ${cached.token}`;
    let pending = this.pending.get(key);
    if (pending === undefined) {
      pending = this.fetchToken(scopes).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    const token = await pending;
    this.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  /**
   * Learns from a 401 response. Returns true when retrying the request with a fresh `authorize()` can succeed
   * (first challenge of its kind, or an expired token); false when the same credentials were already refused.
   */
  challenged(res: Response, scopes: readonly string[]): boolean {
    const challenges = parseWwwAuthenticate(res.headers.get('www-authenticate') ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer?.params.realm !== undefined) {
      const known = this.bearer !== undefined;
      this.bearer = { realm: bearer.params.realm, service: bearer.params.service };
      const key = [...scopes].sort().join(' ');
      const hadToken = this.tokens.delete(key);
      // Retry when this is news, or when a cached token was refused (it may have been revoked or expired).
      return !known || hadToken;
    }
    if (challenges.some((c) => c.scheme === 'basic') && this.opts.credentials?.kind === 'basic' && !this.basic) {
      this.basic = true;
      return true;
    }
    return false;
  }

  private async fetchToken(scopes: readonly string[]): Promise<CachedToken> {
    const realm = this.bearer?.realm ?? '';
    const service = this.bearer?.service;
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      fail('REGISTRY_UNAVAILABLE', `the registry's token realm is not a URL (${realm.slice(0, 100)})`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      fail('REGISTRY_UNAVAILABLE', `the registry's token realm uses ${url.protocol}, not http(s)`);
    }
    const creds = this.opts.credentials;
    const what = { action: 'requesting a registry token', url: url.toString() };
    const init: RequestInit = { method: 'GET', headers: new Headers() };
    if (this.opts.signal !== undefined) init.signal = this.opts.signal;
    if (creds?.kind === 'identity-token') {
      // OAuth2 refresh-token grant (oauth.md): POST form, scopes space-separated.
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'ironclad',
        refresh_token: creds.token,
      });
      if (service !== undefined) form.set('service', service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      init.method = 'POST';
      init.body = form.toString();
      (init.headers as Headers).set('content-type', 'application/x-www-form-urlencoded');
    } else {
      if (service !== undefined) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      if (creds?.kind === 'basic') (init.headers as Headers).set('authorization', basicHeader(creds));
    }
    let res: Response;
    try {
      res = await this.opts.fetch(url, init);
    } catch (err) {
      throw transportError(err, what, this.opts.signal);
    }
    const text = await readLimitedText(res, MAX_TOKEN_RESPONSE);
    if (!res.ok) {
      fail(
        res.status === 401 || res.status === 403 ? 'REGISTRY_DENIED' : 'REGISTRY_UNAVAILABLE',
        `requesting a registry token: HTTP ${res.status} from ${redactUrl(realm)}`,
        {
          retryable: res.status === 429 || res.status >= 500,
          hint: 'check the credentials for this registry (ironclad login, docker login)',
        },
      );
    }
    return this.parseToken(text, realm);
  }

  private parseToken(text: string, realm: string): CachedToken {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined;
    }
    const d = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
    const token = typeof d.access_token === 'string' ? d.access_token : d.token;
    if (typeof token !== 'string' || token === '' || token.length > 64 * 1024) {
      fail('REGISTRY_UNAVAILABLE', `the token service at ${redactUrl(realm)} returned no usable token`);
    }
    const seconds =
      typeof d.expires_in === 'number' && Number.isFinite(d.expires_in) && d.expires_in > 0
        ? d.expires_in
        : DEFAULT_TOKEN_SECONDS;
    return { token, expiresAt: this.opts.now() + seconds * 1000 - EARLY_REFRESH_MS };
  }
}

function basicHeader(c: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}
