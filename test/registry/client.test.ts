import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import type { IroncladError } from '../../src/core/index.ts';
import { createRegistryClient } from '../../src/registry/client.ts';

const ctx = createContext({ home: tmpdir() });

test('https by default; plain http only for loopback or when insecure', () => {
  assert.equal(createRegistryClient({ host: 'ghcr.io' }, ctx).baseUrl, 'https://ghcr.io');
  assert.equal(createRegistryClient({ host: 'localhost:5000' }, ctx).baseUrl, 'http://localhost:5000');
  assert.equal(createRegistryClient({ host: '127.0.0.1:5000' }, ctx).baseUrl, 'http://127.0.0.1:5000');
  assert.equal(createRegistryClient({ host: '[::1]:5000' }, ctx).baseUrl, 'http://[::1]:5000');
  assert.equal(createRegistryClient({ host: 'r.lan:5000', insecure: true }, ctx).baseUrl, 'http://r.lan:5000');
  assert.equal(createRegistryClient({ host: '127.evil.example' }, ctx).baseUrl, 'https://127.evil.example');
});

test('rejects malformed hosts and repository names with USAGE', () => {
  for (const host of ['', 'https://ghcr.io', 'a/b', 'host:port', 'x y']) {
    assert.throws(
      () => createRegistryClient({ host }, ctx),
      (e: IroncladError) => e.code === 'USAGE',
    );
  }
  const client = createRegistryClient({ host: 'ghcr.io' }, ctx);
  assert.equal(client.repoPath('org/app-1.x', 'tags/list'), '/v2/org/app-1.x/tags/list');
  for (const repo of ['Org/app', 'a//b', '../x', 'a/', '-a']) {
    assert.throws(
      () => client.repoPath(repo, 'tags/list'),
      (e: IroncladError) => e.code === 'USAGE',
    );
  }
});

test('a refused connection is REGISTRY_UNAVAILABLE after the configured attempts', async () => {
  const client = createRegistryClient(
    { host: '127.0.0.1:1', network: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } },
    ctx,
  );
  await assert.rejects(
    client.request({ method: 'GET', path: '/v2/', action: 'checking', scopes: [] }),
    (e: IroncladError) => e.code === 'REGISTRY_UNAVAILABLE' && e.retryable,
  );
});
