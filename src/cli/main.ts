import { Command, CommanderError } from 'commander';
import { ERROR_CODES, IRONCLAD_VERSION, IroncladError, storageError } from '../core/index.ts';
import { verbs } from './commands.ts';
import { type CliIO, type ExitStatus, ironcladHome, processIO } from './io.ts';

const VERSION = IRONCLAD_VERSION;

/**
 * Builds the program for `argv`: the module of the verb being run is loaded and registered; every other verb is
 * only listed (name and summary), so `--help` and a single verb load little.
 */
export async function buildProgram(
  io: CliIO,
  run: (status: Promise<ExitStatus>) => void,
  argv: readonly string[],
): Promise<Command> {
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
  // Leftovers of killed commands go before a verb runs (core/home.ts says which ones are safe to remove).
  program.hook('preAction', () => sweepLeftovers(io));
  const wanted = argv[0] === 'help' ? argv[1] : argv.find((a) => !a.startsWith('-'));
  for (const verb of verbs) {
    if (verb.listing.some(([term]) => term.split(' ')[0] === wanted)) (await verb.load())(program, io, run);
    else for (const [term, summary] of verb.listing) program.command(term).description(summary);
  }
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

async function sweepLeftovers(io: CliIO): Promise<void> {
  try {
    const removed = await ironcladHome(io).sweepLeftovers();
    if (removed.length > 0) io.log.debug(`removed leftovers of interrupted commands: ${removed.join(', ')}`);
  } catch (err) {
    io.log.debug(`could not sweep leftovers: ${(err as Error).message}`);
  }
}

/** Maps any error to a message and exit status; a stack trace only with IRONCLAD_DEBUG=1. */
export function reportError(err: unknown, io: CliIO): ExitStatus {
  // A full or read-only disk reached the top unwrapped: it is the machine's state, not a bug.
  err = storageError(err) ?? err;
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
  const program = await buildProgram(
    io,
    (p) => {
      pending = p;
    },
    argv,
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return pending ? await pending : 0;
  } catch (err) {
    // An interrupted command fails with whatever its abort caused; interrupt.ts reports the interruption.
    if (io.signal?.aborted === true) return ERROR_CODES.INTERRUPTED;
    return reportError(err, io);
  }
}
