import { SHELLS } from '../../core/index.ts';
import { type Check, failed, listSome, passed } from './check.ts';
import { findExecutables } from './executables.ts';

export const NO_SHELL = 'no-shell';

/** Command interpreters a runtime image must not ship (core's one list). */
export const SHELL_NAMES: ReadonlySet<string> = new Set(SHELLS);

/**
 * No shell in the image (DESIGN.md, Image rules), judged from the filesystem. A variant that declares
 * `shell: true` (a dev image) passes with the shells listed.
 */
export const noShell: Check = ({ fs, expect }) => {
  const shells = findExecutables(fs, SHELL_NAMES);
  if (shells.length === 0) return passed(NO_SHELL, 'no shell found');
  if (expect.shellAllowed)
    return passed(NO_SHELL, `shell allowed for the ${expect.variant} variant: ${listSome(shells)}`);
  return failed(NO_SHELL, `shell found: ${listSome(shells)}`);
};
