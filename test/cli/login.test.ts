import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { loginCommand, type SecretInput } from '../../src/cli/login.ts';
import { runCli } from '../../src/cli/main.ts';
import { isIroncladError } from '../../src/core/index.ts';
import { captureIO } from '../support/cli-io.ts';
import { buildTestImage } from '../support/registry-image.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

const USER = 'ci';
const PASSWORD = 's3cret-pa55';

function capture(env: Record<string, string>) {
  return captureIO('/', env);
}

const stdinOf = (text: string): SecretInput => ({ stdin: Readable.from([Buffer.from(text)]), prompt: undefined });

describe('login and logout against a registry with htpasswd auth', () => {
  let registry: RegistryServer;
  let work: string;
  let home: string;
  let layout: string;
  let io: (extra?: Record<string, string>) => ReturnType<typeof capture>;

  before(async () => {
    registry = await startRegistry({ auth: { user: USER, password: PASSWORD } });
    work = await mkdtemp(join(tmpdir(), 'ironclad-login-'));
    home = join(work, 'home');
    layout = join(work, 'layout');
    await buildTestImage(layout, 'login');
    await mkdir(join(work, 'docker'));
    io = (extra = {}) => capture({ IRONCLAD_HOME: home, DOCKER_CONFIG: join(work, 'docker'), HOME: work, ...extra });
  });
  after(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  const target = () => `docker://${registry.host}/private/app:v1`;

  test('a wrong password is refused with exit 4 and nothing is saved', async () => {
    const a = io({ IRONCLAD_REGISTRY_PASSWORD: 'wrong' });
    assert.equal(await runCli(['login', registry.host, '-u', USER], a), 4);
    await assert.rejects(stat(join(home, 'auth.json')), { code: 'ENOENT' });
  });

  test('without credentials a push is denied (exit 4)', async () => {
    assert.equal(await runCli(['push', `oci:${layout}:v1`, target()], io()), 4);
  });

  test('the right password from stdin is saved with mode 0600 and push then works', async () => {
    const a = io();
    assert.equal(
      await loginCommand(registry.host, { username: USER, passwordStdin: true }, a, stdinOf(`${PASSWORD}\n`)),
      0,
    );
    const file = join(home, 'auth.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.ok(Object.keys(JSON.parse(await readFile(file, 'utf8')).auths).includes(registry.host));
    assert.ok(!a.out.join('\n').includes(PASSWORD), 'the password is never printed');

    const b = io();
    assert.equal(await runCli(['push', `oci:${layout}:v1`, target(), '--format', 'json'], b), 0, b.err.join('\n'));
    const c = io();
    assert.equal(await runCli(['inspect', target(), '--format', 'json'], c), 0, c.err.join('\n'));
  });

  test('logout removes the saved credentials; a second logout says so', async () => {
    const a = io();
    assert.equal(await runCli(['logout', registry.host], a), 0);
    assert.match(a.out.join('\n'), /removed/);
    const b = io();
    assert.equal(await runCli(['logout', registry.host], b), 0);
    assert.match(b.out.join('\n'), /not logged in/);
    assert.equal(await runCli(['inspect', target()], io()), 4);
  });

  test('IRONCLAD_REGISTRY_USER/_PASSWORD serve every verb without a login', async () => {
    const env = { IRONCLAD_REGISTRY_USER: USER, IRONCLAD_REGISTRY_PASSWORD: PASSWORD };
    const a = io(env);
    assert.equal(await runCli(['inspect', target(), '--format', 'json'], a), 0, a.err.join('\n'));
    assert.equal(await runCli(['login', registry.host], io(env)), 0, 'the user name comes from the environment too');
  });

  test('a prompt is used when there is neither stdin nor variable; no source at all is a usage error', async () => {
    const asked: string[] = [];
    const prompt = async (q: string) => {
      asked.push(q);
      return PASSWORD;
    };
    const input: SecretInput = { stdin: Readable.from([]), prompt };
    assert.equal(await loginCommand(registry.host, { username: USER }, io(), input), 0);
    assert.equal(asked.length, 1);

    const none: SecretInput = { stdin: Readable.from([]), prompt: undefined };
    await assert.rejects(loginCommand(registry.host, { username: USER }, io(), none), (e) =>
      isIroncladError(e, 'USAGE'),
    );
    await assert.rejects(loginCommand(registry.host, {}, io(), none), (e) => isIroncladError(e, 'USAGE'));
    await assert.rejects(
      loginCommand(registry.host, { username: USER, passwordStdin: true }, io(), stdinOf('\n')),
      (e) => isIroncladError(e, 'USAGE'),
    );
  });
});
