/**
 * A reader that goes away early (`ironclad images | head -1`, `ironclad build --help | head`) is not an error of
 * ours: the next write to that stream fails with EPIPE, which Node reports as an 'error' event that would crash
 * the process with a stack trace. Installed once by the process entry, this swallows EPIPE quietly instead:
 * the broken stream is destroyed, so later writes to it are dropped, and the command still ends with its own
 * exit status. Exiting 0 at the first EPIPE would be quicker, but it would turn `scan --fail-on high | head`
 * into a pass. Any other stream error is rethrown unchanged.
 */
export function ignoreBrokenPipes(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
}
