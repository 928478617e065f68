import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import bcrypt from 'bcryptjs';

/**
 * A real CNCF distribution registry (`docker-registry`, Debian package) on 127.0.0.1 and a random port,
 * storing into a temp directory. With `auth`, it uses htpasswd basic auth; the bcrypt file is generated
 * here because the htpasswd tool is not always installed.
 */
export interface RegistryServer {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startRegistry(opts: { auth?: { user: string; password: string } } = {}): Promise<RegistryServer> {
  const dir = await mkdtemp(join(tmpdir(), 'ironclad-registry-'));
  const port = await freePort();
  const htpasswd = join(dir, 'htpasswd');
  if (opts.auth !== undefined) {
    await writeFile(htpasswd, `${opts.auth.user}:${bcrypt.hashSync(opts.auth.password, 5)}\n`);
  }
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    ...(opts.auth === undefined ? [] : ['auth:', '  htpasswd:', '    realm: test-realm', `    path: ${htpasswd}`]),
    '',
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), config);
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const host = `127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    const ok = await fetch(`http://${host}/v2/`).then(
      (r) => r.status === 200 || r.status === 401,
      () => false,
    );
    if (ok) break;
    if (i > 200) {
      child.kill();
      throw new Error(`docker-registry did not start: ${stderr}`);
    }
    await delay(50);
  }
  return {
    host,
    port,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
