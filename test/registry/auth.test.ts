import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import type { IroncladError } from '../../src/core/index.ts';
import { Authenticator, parseWwwAuthenticate, repositoryScope } from '../../src/registry/auth.ts';
import { createRegistryClient } from '../../src/registry/client.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

test('parses WWW-Authenticate challenges', () => {
  assert.deepEqual(
    parseWwwAuthenticate(
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
    ),
    [
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' },
      },
    ],
  );
  assert.deepEqual(parseWwwAuthenticate('Basic realm="x", Bearer realm="y"'), [
    { scheme: 'basic', params: { realm: 'x' } },
    { scheme: 'bearer', params: { realm: 'y' } },
  ]);
  assert.deepEqual(parseWwwAuthenticate('Basic realm="a \\"quoted\\" realm"'), [
    { scheme: 'basic', params: { realm: 'a "quoted" realm' } },
  ]);
  assert.deepEqual(parseWwwAuthenticate(''), []);
  assert.equal(repositoryScope('a/b', 'pull,push'), 'repository:a/b:pull,push');
});

describe('bearer token flow', () => {
  const tokenRequests: URL[] = [];
  const authHeaders: (string | undefined)[] = [];
  let now = 1_000_000;
  let port = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/token') {
      tokenRequests.push(url);
      authHeaders.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: `tok${tokenRequests.length}`, expires_in: 300 }));
      return;
    }
    if (req.headers.authorization?.startsWith('Bearer tok') === true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
      return;
    }
    res.writeHead(401, {
      'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="fake",scope="repository:a/b:pull"`,
      'content-type': 'application/json',
    });
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  });
  after(() => server.close());

  test('answers a 401 with a token for the right scope, then caches it until expiry', async () => {
    const ctx = createContext({ home: tmpdir(), now: () => new Date(now) });
    const client = createRegistryClient(
      { host: `127.0.0.1:${port}`, credentials: { kind: 'basic', username: 'u', password: 'p' } },
      ctx,
    );
    const scopes = [repositoryScope('a/b', 'pull')];
    const req = { method: 'GET', path: '/v2/a/b/tags/list', action: 'listing', scopes } as const;
    await (await client.request(req)).body?.cancel();
    await (await client.request(req)).body?.cancel();
    assert.equal(tokenRequests.length, 1);
    assert.equal(tokenRequests[0]?.searchParams.get('service'), 'fake');
    assert.deepEqual(tokenRequests[0]?.searchParams.getAll('scope'), ['repository:a/b:pull']);
    assert.equal(authHeaders[0], `Basic ${Buffer.from('u:p').toString('base64')}`);
    now += 400_000;
    await (await client.request(req)).body?.cancel();
    assert.equal(tokenRequests.length, 2);
    // A push-and-mount request asks for a token covering both repositories.
    const auth = new Authenticator({ fetch, now: () => now });
    const probe = await fetch(`http://127.0.0.1:${port}/v2/`);
    assert.equal(auth.challenged(probe, []), true);
    await probe.body?.cancel();
    await auth.authorize([repositoryScope('a/b', 'pull,push'), repositoryScope('c/d', 'pull')]);
    assert.deepEqual(tokenRequests.at(-1)?.searchParams.getAll('scope'), [
      'repository:a/b:pull,push',
      'repository:c/d:pull',
    ]);
    assert.equal(authHeaders.at(-1), undefined);
  });
});

describe('basic auth against the real registry (htpasswd)', () => {
  let registry: RegistryServer;
  before(async () => {
    registry = await startRegistry({ auth: { user: 'alice', password: 'wonderland' } });
  });
  after(() => registry.stop());
  const ctx = createContext({ home: tmpdir() });
  const req = { method: 'GET', path: '/v2/', action: 'checking the registry', scopes: [] } as const;

  test('the right password is accepted', async () => {
    const client = createRegistryClient(
      { host: registry.host, credentials: { kind: 'basic', username: 'alice', password: 'wonderland' } },
      ctx,
    );
    const res = await client.request(req);
    assert.equal(res.status, 200);
    await res.body?.cancel();
    await client.ping();
  });

  test('a wrong password or none is REGISTRY_DENIED', async () => {
    for (const credentials of [{ kind: 'basic', username: 'alice', password: 'nope' } as const, undefined]) {
      const client = createRegistryClient({ host: registry.host, credentials }, ctx);
      await assert.rejects(client.ping(), (e: IroncladError) => e.code === 'REGISTRY_DENIED');
    }
  });
});
