import { constants } from 'node:os';
import { IroncladError } from '../core/index.ts';
import { ignoreBrokenPipes } from './broken-pipe.ts';
import { type CliIO, type ExitStatus, ironcladHome, processIO } from './io.ts';
import { runCli } from './main.ts';

/** How long an interrupted command gets to unwind (close files, remove its temp files) before we exit anyway. */
const GRACE_MS = 3000;

/**
 * Runs the CLI as the process: SIGINT and SIGTERM abort the command through the signal every stage context
 * carries (io.signal). The command unwinds as on any error, removing what it was writing; then whatever temp
 * file or scratch directory of this process is still under the home is removed, one line goes to stderr, and
 * the process exits 128 + the signal number (130 for Ctrl-C, 143 for SIGTERM), as shells report a death by
 * that signal. A second signal, or a command still running after GRACE_MS, ends the process the same way at
 * once. Nothing half-written survives: results only ever appear by rename.
 */
export async function runProcess(argv: readonly string[]): Promise<void> {
  const controller = new AbortController();
  const io = processIO(controller.signal);
  ignoreBrokenPipes();
  let caught: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (caught !== undefined) exitInterrupted(io, caught);
    caught = signal;
    controller.abort(new IroncladError('INTERRUPTED', `interrupted by ${signal}`));
    setTimeout(() => exitInterrupted(io, signal), GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const status: ExitStatus = await runCli(argv, io);
  if (caught !== undefined) exitInterrupted(io, caught);
  process.exitCode = status;
}

function exitInterrupted(io: CliIO, signal: NodeJS.Signals): never {
  // Synchronous, so no callback of the aborted command can start a new temp file in between.
  ironcladHome(io).removeOwnTempsSync();
  io.log.progress('');
  process.stderr.write(`interrupted by ${signal}: stopped, temporary files removed, nothing stored was changed\n`);
  process.exit(128 + (constants.signals[signal] ?? 2));
}
