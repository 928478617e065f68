import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Starts the CLI as a process of its own, as a user does: the compiled entry when these tests run compiled,
 * else the TypeScript entry through tsx. Resolves when it exits, with its status and output. Streams named in
 * `closeReaders` have their reading end closed at once, like a `| head` that has already gone. `cwd` is where it
 * runs (default this process's).
 */
export function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  closeReaders: readonly ('stdout' | 'stderr')[] = [],
  cwd?: string,
): {
  pid: number;
  exited: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
} {
  const compiled = import.meta.url.endsWith('.js');
  const entry = resolve(import.meta.dirname, '../../src/cli', compiled ? 'bin.js' : 'bin.ts');
  // tsx resolved here, so the child finds it whatever its working directory.
  const argv = compiled ? [entry, ...args] : ['--import', import.meta.resolve('tsx'), entry, ...args];
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd !== undefined && { cwd }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  for (const name of closeReaders) child[name].destroy();
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (done, failed) => {
      child.on('error', failed);
      child.on('close', (status, signal) => done({ status, signal, stdout, stderr }));
    },
  );
  return { pid: child.pid ?? -1, exited };
}
