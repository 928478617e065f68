import { fail } from '../core/index.ts';
import type { CliIO } from './io.ts';

/** Reads one line from the terminal without echoing it. */
export type SecretPrompt = (question: string) => Promise<string>;

/**
 * The password protecting a private key: `IRONCLAD_PASSWORD` when set (also when empty, as cosign treats
 * COSIGN_PASSWORD), otherwise asked on the terminal without echo, twice when `confirm` is set.
 * Never logged or echoed.
 * @throws IroncladError `USAGE` when there is no variable and no terminal, or the two entries differ.
 */
export async function readPassword(
  io: CliIO,
  options: { readonly confirm: boolean; readonly purpose: string },
  prompt: SecretPrompt | undefined = process.stdin.isTTY ? ttyPrompt : undefined,
): Promise<string> {
  const fromEnv = io.env.IRONCLAD_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  if (!prompt) {
    fail('USAGE', `a password is needed for ${options.purpose}, and there is no terminal to ask on`, {
      hint: 'set IRONCLAD_PASSWORD (for example from your CI secret store)',
    });
  }
  const first = await prompt(`Enter password for ${options.purpose}: `);
  if (options.confirm) {
    const second = await prompt('Enter password again: ');
    if (first !== second) fail('USAGE', 'the passwords do not match');
  }
  return first;
}

/** Raw-mode terminal input: no echo, Backspace edits, Enter ends, Ctrl-C/Ctrl-D cancel. */
export const ttyPrompt: SecretPrompt = (question) =>
  new Promise<string>((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || (ch === '\u0004' && value === '')) {
          return finish(new Error('password entry cancelled'));
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
      return undefined;
    };
    stdin.on('data', onData);
  }).catch((err: unknown) => fail('USAGE', 'password entry cancelled', { cause: err }));
