import type { StageContext } from '../core/index.ts';
import type { Platform, ResolvedImage } from '../oci/index.ts';
import { type ContainerOptions, PreparedImage, type RunResult } from './prepared-image.ts';
import { checkTimeout } from './runc-process.ts';

export { configPlatform, type RunResult } from './prepared-image.ts';

export interface RunOptions extends Omit<ContainerOptions, 'networkNamespace'> {
  /** The only network mode: a new, empty network namespace. Stated so callers know what they get. */
  readonly network: 'none';
  /** The machine's platform (the CLI computes it once): other platforms need a binfmt_misc emulator. */
  readonly host: Platform;
  /** The runc binary; default `runc` from PATH. */
  readonly runc?: string;
}

/**
 * Runs one process of `image` in a throw-away runc container and waits for it: the image's final filesystem
 * (whiteouts applied) is unpacked into a fresh bundle in a scratch directory of the home, a config.json is generated
 * (runtime-spec.ts: docker argv/env semantics, user resolved through the image's own /etc/passwd, no network,
 * no new privileges), and `runc run` is started with stdio piped. On timeout or abort the container is killed;
 * the container is always deleted and the bundle removed, whatever happens. To run several containers of one
 * image, prepare it once with PreparedImage instead.
 * @throws IroncladError RUNTIME_UNAVAILABLE when runc is missing, we are not root, or the image's platform
 *   cannot run here; USAGE when there is nothing to run; INVALID_INPUT for an unknown user; the errors of
 *   unpacking the image.
 */
export async function runImage(image: ResolvedImage, opts: RunOptions, ctx: StageContext): Promise<RunResult> {
  checkTimeout(opts.timeoutMs);
  const { host, runc, network: _none, ...container } = opts;
  const prepared = await PreparedImage.prepare(image, { host, ...(runc !== undefined && { runc }) }, ctx);
  try {
    return await prepared.run(container, ctx);
  } finally {
    await prepared.close();
  }
}
