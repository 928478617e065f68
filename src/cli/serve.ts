import type { Command } from 'commander';
import { fail } from '../core/index.ts';
import { startServer } from '../server/index.ts';
import { loadSiteModel } from './catalog.ts';
import type { VerbRegistrar } from './commands.ts';
import type { CliIO, ExitStatus } from './io.ts';

export interface ServeArgs {
  readonly port: string;
  readonly host: string;
  readonly images?: string;
  readonly registry?: string;
}

function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    fail('USAGE', `--port ${text}: expected 0-65535 (0 picks a free port)`);
  return n;
}

/**
 * `ironclad serve`: the web catalog on http://HOST:PORT/ until SIGINT or SIGTERM. The first line on stdout is the
 * URL (scripts read it when --port 0 picked the port).
 */
export async function serveCommand(
  args: ServeArgs,
  io: CliIO,
  signal: AbortSignal = shutdownSignal(),
): Promise<ExitStatus> {
  const port = parsePort(args.port);
  const m = await loadSiteModel(args, io);
  const server = await startServer(m, { host: args.host, port, log: io.log });
  io.stdout(`serving the catalog (${m.catalog.images.length} images) at ${server.url}`);
  await new Promise<void>((done) => {
    if (signal.aborted) done();
    else signal.addEventListener('abort', () => done(), { once: true });
  });
  await server.close();
  return 0;
}

/** Aborts on the first SIGINT or SIGTERM. */
function shutdownSignal(): AbortSignal {
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return ac.signal;
}

export const registerServe: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('serve')
    .summary('serve the web catalog on this machine (read-only)')
    .description(
      'Serves the catalog as web pages: a searchable list, and per image its tags, variants, sizes, packages, ' +
        'vulnerabilities with VEX, provenance, tests and the commands to pull, verify and scan it. Reads the store, ' +
        'the vulnerability database and referrers; writes nothing. Stops on Ctrl-C.',
    )
    .option('--port <n>', 'TCP port (0 picks a free one)', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--images <dir>', 'directory of image definitions', 'images')
    .option('--registry <host/prefix>', 'where the images are published, for the pull and verify commands')
    .addHelpText(
      'after',
      '\nExamples:\n  ironclad serve\n  ironclad serve --port 9000 --registry registry.example.com/ironclad\n  ironclad serve --port 0   # prints the URL with the port picked',
    )
    .action((opts: ServeArgs) => run(serveCommand(opts, io)));
};
