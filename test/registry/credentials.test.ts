import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { IroncladError } from '../../src/core/index.ts';
import { Home } from '../../src/core/index.ts';
import {
  normalizeRegistryKey,
  resolveCredentials,
  runCredentialHelper,
  saveLogin,
} from '../../src/registry/credentials.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ironclad-creds-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('normalizes config keys to host[:port], with Docker Hub aliases', () => {
  assert.equal(normalizeRegistryKey('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(normalizeRegistryKey('registry-1.docker.io'), 'docker.io');
  assert.equal(normalizeRegistryKey('http://Localhost:5000/v2/'), 'localhost:5000');
  assert.equal(normalizeRegistryKey('ghcr.io'), 'ghcr.io');
});

test('reads auths (user:pass and identitytoken) from the Docker config', async () => {
  const docker = join(dir, 'docker1');
  await mkdir(docker, { recursive: true });
  await writeFile(
    join(docker, 'config.json'),
    JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:pw:with:colons') },
        'ghcr.io': { identitytoken: 'refresh-me' },
      },
    }),
  );
  assert.deepEqual(await resolveCredentials('registry-1.docker.io', { dockerConfigDir: docker }), {
    kind: 'basic',
    username: 'hub',
    password: 'pw:with:colons',
  });
  assert.deepEqual(await resolveCredentials('ghcr.io', { dockerConfigDir: docker }), {
    kind: 'identity-token',
    token: 'refresh-me',
  });
  assert.equal(await resolveCredentials('quay.io', { dockerConfigDir: docker }), undefined);
});

test('the login store wins over the Docker config; env is the last resort', async () => {
  const home = join(dir, 'home');
  const docker = join(dir, 'docker2');
  await mkdir(docker, { recursive: true });
  await writeFile(join(docker, 'config.json'), JSON.stringify({ auths: { 'r.example': { auth: b64('d:d') } } }));
  await saveLogin(new Home(home), 'r.example', { kind: 'basic', username: 'me', password: 'secret' });
  assert.equal((await stat(join(home, 'auth.json'))).mode & 0o777, 0o600);
  const src = { home: new Home(home), dockerConfigDir: docker, env: { user: 'env', password: 'envpw' } };
  assert.deepEqual(await resolveCredentials('r.example', src), { kind: 'basic', username: 'me', password: 'secret' });
  assert.deepEqual(await resolveCredentials('other.example', src), {
    kind: 'basic',
    username: 'env',
    password: 'envpw',
  });
  await saveLogin(new Home(home), 'r.example', undefined);
  assert.ok(!(await readFile(join(home, 'auth.json'), 'utf8')).includes('r.example'));
  assert.deepEqual(await resolveCredentials('r.example', src), { kind: 'basic', username: 'd', password: 'd' });
});

test('credHelpers and credsStore go through docker-credential-<name> get', async () => {
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  const script = join(bin, 'docker-credential-ironcladtest');
  await writeFile(
    script,
    [
      '#!/bin/sh',
      'read host',
      'if [ "$host" = "helped.example" ]; then echo \'{"ServerURL":"helped.example","Username":"hu","Secret":"hs"}\'; exit 0; fi',
      'if [ "$host" = "token.example" ]; then echo \'{"Username":"<token>","Secret":"tok"}\'; exit 0; fi',
      'echo "credentials not found in native keychain"; exit 1',
      '',
    ].join('\n'),
  );
  await chmod(script, 0o755);
  const oldPath = process.env.PATH;
  process.env.PATH = `${bin}${delimiter}${oldPath ?? ''}`;
  try {
    const docker = join(dir, 'docker3');
    await mkdir(docker, { recursive: true });
    await writeFile(
      join(docker, 'config.json'),
      JSON.stringify({ credHelpers: { 'helped.example': 'ironcladtest' }, credsStore: 'ironcladtest' }),
    );
    assert.deepEqual(await resolveCredentials('helped.example', { dockerConfigDir: docker }), {
      kind: 'basic',
      username: 'hu',
      password: 'hs',
    });
    assert.deepEqual(await resolveCredentials('token.example', { dockerConfigDir: docker }), {
      kind: 'identity-token',
      token: 'tok',
    });
    assert.equal(await resolveCredentials('none.example', { dockerConfigDir: docker }), undefined);
    await assert.rejects(
      runCredentialHelper('does-not-exist-xyz', 'h'),
      (e: IroncladError) => e.code === 'INVALID_INPUT',
    );
  } finally {
    process.env.PATH = oldPath;
  }
});

test('malformed files and helper names are INVALID_INPUT', async () => {
  const docker = join(dir, 'docker4');
  await mkdir(docker, { recursive: true });
  await writeFile(join(docker, 'config.json'), '[1,2]');
  await assert.rejects(
    resolveCredentials('x.example', { dockerConfigDir: docker }),
    (e: IroncladError) => e.code === 'INVALID_INPUT',
  );
  await writeFile(join(docker, 'config.json'), JSON.stringify({ credsStore: '../../bin/sh' }));
  await assert.rejects(
    resolveCredentials('x.example', { dockerConfigDir: docker }),
    (e: IroncladError) => e.code === 'INVALID_INPUT',
  );
  await writeFile(join(docker, 'config.json'), JSON.stringify({ auths: { 'x.example': { auth: b64('nocolon') } } }));
  await assert.rejects(
    resolveCredentials('x.example', { dockerConfigDir: docker }),
    (e: IroncladError) => e.code === 'INVALID_INPUT',
  );
});
