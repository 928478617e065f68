import { Command, CommanderError } from 'commander';
import { IRONCLAD_VERSION, IroncladError } from '../core/index.ts';
import { verbs } from './commands.ts';
import { type CliIO, type ExitStatus, processIO } from './io.ts';

const VERSION = IRONCLAD_VERSION;

/** Builds the program; exported so tests can run verbs in-process with captured IO. */
export function buildProgram(io: CliIO, run: (status: Promise<ExitStatus>) => void): Command {
  const program = new Command('ironclad')
    .description('Build, sign, scan, test and compare hardened container images from verified Debian packages')
    .version(VERSION)
    .showHelpAfterError('(add --help for usage)')
    // Options belong to the verb they follow, so a verb and its subcommands may reuse a flag name
    // (`attest --predicate FILE`, `attest get --predicate`).
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s.replace(/\n$/, '')),
      writeErr: (s) => io.stderr(s.replace(/\n$/, '')),
    });
  for (const register of verbs) register(program, io, run);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Maps any error to a message and exit status; a stack trace only with IRONCLAD_DEBUG=1. */
export function reportError(err: unknown, io: CliIO): ExitStatus {
  if (err instanceof IroncladError) {
    io.stderr(`error: ${err.message}`);
    if (err.hint) io.stderr(`hint: ${err.hint}`);
    if (io.env.IRONCLAD_DEBUG === '1' && err.cause) io.stderr(String((err.cause as Error)?.stack ?? err.cause));
    return err.exitCode;
  }
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  io.stderr(`error: unexpected failure: ${err instanceof Error ? err.message : String(err)}`);
  io.stderr('hint: this is a bug in ironclad; rerun with IRONCLAD_DEBUG=1 and report the output');
  if (io.env.IRONCLAD_DEBUG === '1' && err instanceof Error) io.stderr(err.stack ?? '');
  return 70;
}

/** Runs the CLI with the given argv (without node and script) and resolves to the exit status. */
export async function runCli(argv: readonly string[], io: CliIO = processIO()): Promise<ExitStatus> {
  let pending: Promise<ExitStatus> | undefined;
  const program = buildProgram(io, (p) => {
    pending = p;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return pending ? await pending : 0;
  } catch (err) {
    return reportError(err, io);
  }
}
