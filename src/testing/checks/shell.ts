import { type Check, failed, listSome, passed } from './check.ts';
import { findExecutables } from './executables.ts';

export const NO_SHELL = 'no-shell';

/** Command interpreters a runtime image must not ship: POSIX shells, their relatives, and multi-call busybox. */
export const SHELL_NAMES: ReadonlySet<string> = new Set([
  'sh',
  'bash',
  'rbash',
  'dash',
  'ash',
  'busybox',
  'zsh',
  'ksh',
  'ksh93',
  'mksh',
  'pdksh',
  'posh',
  'yash',
  'csh',
  'tcsh',
  'fish',
  'toybox',
]);

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
