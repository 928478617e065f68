import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { Home } from '../../src/core/index.ts';
import {
  clientFor,
  credentialSourcesOf,
  insecureRegistries,
  type RegistrySettings,
} from '../../src/registry/access.ts';

function io(env: Record<string, string>, insecure = false): RegistrySettings {
  return { home: new Home(env.IRONCLAD_HOME ?? '/nonexistent'), env, insecure };
}

const ctx = createContext({ home: '/nonexistent' });

test('IRONCLAD_INSECURE_REGISTRIES: comma list, trimmed, lowercased', () => {
  assert.deepEqual(
    [...insecureRegistries({ IRONCLAD_INSECURE_REGISTRIES: ' Reg.Local:5000, ,mirror.lan ' })],
    ['reg.local:5000', 'mirror.lan'],
  );
  assert.equal(insecureRegistries({}).size, 0);
});

test('https unless the host is loopback, listed as insecure, or the command says --insecure', () => {
  const none = io({});
  assert.equal(clientFor('registry.example.com', undefined, none, ctx).baseUrl, 'https://registry.example.com');
  assert.equal(clientFor('127.0.0.1:5000', undefined, none, ctx).baseUrl, 'http://127.0.0.1:5000');
  assert.equal(clientFor('reg.lan:5000', undefined, io({}, true), ctx).baseUrl, 'http://reg.lan:5000');
  const listed = io({ IRONCLAD_INSECURE_REGISTRIES: 'reg.lan' });
  assert.equal(clientFor('reg.lan:5000', undefined, listed, ctx).baseUrl, 'http://reg.lan:5000');
  assert.equal(clientFor('other.lan', undefined, listed, ctx).baseUrl, 'https://other.lan');
});

test('docker.io references are served by Docker Hub’s API host', () => {
  assert.equal(clientFor('docker.io', undefined, io({}), ctx).baseUrl, 'https://registry-1.docker.io');
});

test('credential sources: the login store under IRONCLAD_HOME, DOCKER_CONFIG, then the two variables', () => {
  const sources = credentialSourcesOf(
    io({ IRONCLAD_HOME: '/h', DOCKER_CONFIG: '/d', IRONCLAD_REGISTRY_USER: 'u', IRONCLAD_REGISTRY_PASSWORD: 'p' }),
  );
  assert.equal(sources.home?.authFile, '/h/auth.json');
  assert.equal(sources.dockerConfigDir, '/d');
  assert.deepEqual(sources.env, { user: 'u', password: 'p' });
  assert.equal(credentialSourcesOf(io({ HOME: '/u' })).dockerConfigDir, '/u/.docker');
});
